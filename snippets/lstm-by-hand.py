"""Chapter lstm-by-hand, top to bottom: python snippets/lstm-by-hand.py"""
from models import LSTMbyHand, L, torch, TensorDataset, DataLoader

# --8<-- [start:seed]
L.seed_everything(42)
# --8<-- [end:seed]

# --8<-- [start:check]
model = LSTMbyHand()

print("\nNow let's compare the observed and predicted values...")
print("Company A: Observed = 0, Predicted = ", model(torch.tensor([0., 0.5, 0.25, 1.])).detach())

print("Company B: Observed = 1, Predicted = ", model(torch.tensor([1., 0.5, 0.25, 1.])).detach())
# --8<-- [end:check]

# --8<-- [start:train]
inputs = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])
labels = torch.tensor([0., 1.])

dataset = TensorDataset(inputs, labels)
dataloader = DataLoader(dataset)

trainer = L.Trainer(max_epochs=2000)
trainer.fit(model, train_dataloaders=dataloader)
# --8<-- [end:train]

# --8<-- [start:check-trained]
print("Company A: Observed = 0, Predicted = ", model(torch.tensor([0., 0.5, 0.25, 1.])).detach())
print("Company B: Observed = 1, Predicted = ", model(torch.tensor([1., 0.5, 0.25, 1.])).detach())
# --8<-- [end:check-trained]

# --8<-- [start:resume]
path_to_best_checkpoint = trainer.checkpoint_callback.best_model_path

trainer = L.Trainer(max_epochs=5000)
trainer.fit(model, train_dataloaders=dataloader, ckpt_path=path_to_best_checkpoint)
# --8<-- [end:resume]

# --8<-- [start:check-resumed]
print("Company A: Observed = 0, Predicted = ", model(torch.tensor([0., 0.5, 0.25, 1.])).detach())
print("Company B: Observed = 1, Predicted = ", model(torch.tensor([1., 0.5, 0.25, 1.])).detach())
# --8<-- [end:check-resumed]

# --8<-- [start:cell-gradient]
def cell_state_gradient(model, days):
    """第 1 天的长期记忆 C_1 对第 4 天的 C_4 有多大影响：完整的导数 ∂C_4/∂C_1，
    以及把门当作常数、只沿长期记忆那条直连路径算时的 f_2·f_3·f_4。"""
    long_memory, short_memory = model.lstm_unit(days[0], 0, 0)
    c_1 = long_memory
    forget_gates = []
    for day in days[1:]:
        forget_gates.append(torch.sigmoid(short_memory * model.wlr1 + day * model.wlr2 + model.blr1))  # f_t
        long_memory, short_memory = model.lstm_unit(day, long_memory, short_memory)
    (full,) = torch.autograd.grad(long_memory, c_1)
    return full.item(), torch.stack(forget_gates).prod().item()


for name, days in [("Company A", inputs[0]), ("Company B", inputs[1])]:
    full, direct = cell_state_gradient(model, days)
    print(f"{name}: f_2·f_3·f_4 = {direct:.4f}，完整的 ∂C_4/∂C_1 = {full:.4f}")
# --8<-- [end:cell-gradient]
