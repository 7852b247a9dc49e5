"""The training loop Lightning runs for us, written out: same data order, same Adam, same numbers."""
# --8<-- [start:fit]
def fit(model, inputs, labels, epochs):
    optimizer = model.configure_optimizers()
    for _ in range(epochs):
        for input_i, label_i in zip(inputs, labels):
            optimizer.zero_grad()
            loss = (model(input_i) - label_i) ** 2
            loss.sum().backward()
            optimizer.step()
    return model
# --8<-- [end:fit]
