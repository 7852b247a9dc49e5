"""Chapter nn-lstm, top to bottom, on its own: python snippets/nn-lstm.py"""
from models import LightningLSTM, LSTMbyHand, L, torch, nn, TensorDataset, DataLoader
from plain_loop import fit
from weight_mapping import copy_hand_weights

# --8<-- [start:data]
L.seed_everything(42)

inputs = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])
labels = torch.tensor([0., 1.])

dataset = TensorDataset(inputs, labels)
dataloader = DataLoader(dataset)
# --8<-- [end:data]

# --8<-- [start:train]
model = LightningLSTM()

trainer = L.Trainer(max_epochs=300, log_every_n_steps=2)
trainer.fit(model, train_dataloaders=dataloader)
# --8<-- [end:train]

# --8<-- [start:check]
print("Company A: Observed = 0, Predicted = ", model(torch.tensor([0., 0.5, 0.25, 1.])).detach())
print("Company B: Observed = 1, Predicted = ", model(torch.tensor([1., 0.5, 0.25, 1.])).detach())
# --8<-- [end:check]

# --8<-- [start:shapes]
lstm = model.lstm  # 训练好的 nn.LSTM(input_size=1, hidden_size=1)
L_, N, H_in = 4, 2, 1                           # 表里的 L；L 已是 lightning 的名字

x = inputs[0].view(len(inputs[0]), 1)           # 原文的写法：一条序列，没有批维度
output, (h_n, c_n) = lstm(x)
print("没有批维度         input", tuple(x.shape), "output", tuple(output.shape), "h_n", tuple(h_n.shape), "c_n", tuple(c_n.shape))
assert x.shape == (L_, H_in) and output.shape == (L_, 1) and h_n.shape == c_n.shape == (1, 1)
assert torch.equal(output[-1], h_n[0])          # 最后一步的输出就是 h_n

xb = inputs.T.unsqueeze(-1)                      # 两家公司一起：(L, N, H_in)
output, (h_n, c_n) = lstm(xb)
print("有批维度           input", tuple(xb.shape), "output", tuple(output.shape), "h_n", tuple(h_n.shape), "c_n", tuple(c_n.shape))
assert xb.shape == (L_, N, H_in) and output.shape == (L_, N, 1) and h_n.shape == c_n.shape == (1, N, 1)
assert torch.equal(output[-1], h_n[0])

lstm_bf = nn.LSTM(input_size=1, hidden_size=1, batch_first=True)
lstm_bf.load_state_dict(lstm.state_dict())
xf = inputs.unsqueeze(-1)                        # batch_first=True：(N, L, H_in)
output_bf, (h_n_bf, c_n_bf) = lstm_bf(xf)
print("batch_first=True  input", tuple(xf.shape), "output", tuple(output_bf.shape), "h_n", tuple(h_n_bf.shape), "c_n", tuple(c_n_bf.shape))
assert xf.shape == (N, L_, H_in) and output_bf.shape == (N, L_, 1) and h_n_bf.shape == c_n_bf.shape == (1, N, 1)
assert torch.allclose(output_bf.transpose(0, 1), output)   # 同一组权重，只是维度顺序不同
assert torch.equal(output_bf[:, -1], h_n_bf[0])   # batch_first 时最后一步在第 1 维
# --8<-- [end:shapes]

# --8<-- [start:retrain-hand]
L.seed_everything(42)
epochs = 2000  # 和第 2 章第一次 fit 的轮数一样
hand = fit(LSTMbyHand(), inputs, labels, epochs)
for name, x in [("Company A", inputs[0]), ("Company B", inputs[1])]:
    print(name, f"手搓 LSTM（普通循环训练 {epochs} 轮）:", hand(x).detach())
# --8<-- [end:retrain-hand]

# --8<-- [start:compare]
def compare(hand):
    builtin = copy_hand_weights(hand, nn.LSTM(input_size=1, hidden_size=1))
    for name, x in [("Company A", inputs[0]), ("Company B", inputs[1])]:
        by_hand = hand(x).item()
        by_nn = builtin(x.view(len(x), 1))[0][-1].item()
        print(f"{name}: 手搓 {by_hand:.7f}  nn.LSTM {by_nn:.7f}  差 {abs(by_hand - by_nn):.1e}")
        assert abs(by_hand - by_nn) < 1e-6


compare(hand)          # 训练好的权重
compare(LSTMbyHand())  # 随机初始化的权重
# --8<-- [end:compare]
