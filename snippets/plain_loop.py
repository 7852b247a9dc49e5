"""The training loop Lightning runs for us, written out: same data order, same Adam, same numbers."""
# --8<-- [start:fit]
def fit(model, inputs, labels, epochs, optimizer=None):
    if optimizer is None:  # 第 4 章会传入一个用过的优化器，接着它的状态训练
        optimizer = model.configure_optimizers()
    for _ in range(epochs):
        for input_i, label_i in zip(inputs, labels):
            optimizer.zero_grad()
            loss = (model(input_i) - label_i) ** 2
            loss.sum().backward()
            optimizer.step()
    return model
# --8<-- [end:fit]
