"""Chapter gradients, top to bottom: python snippets/gradients.py
The whole study (about twenty minutes): python snippets/gradients.py --study docs/generated/gradients.json"""
# --8<-- [start:imports]
import json
import sys

import torch
import torch.nn as nn
# --8<-- [end:imports]

# --8<-- [start:data]
def make_data(n, length, generator):
    """n 条长 length 天的序列：第 1 天是 0（像公司 A）或 1（像公司 B），之后每天是 0 到 1 之间的随机数。
    标签就是第 1 天：模型必须把第 1 天记过后面所有的天。"""
    first = torch.randint(0, 2, (n,), generator=generator).float()
    rest = torch.rand(n, length - 1, generator=generator)
    return torch.cat([first[:, None], rest], dim=1)[..., None], first  # 形状 (N, L, 1) 和 (N,)
# --8<-- [end:data]

# --8<-- [start:model]
class Reader(nn.Module):
    """读完一条序列，用最后一天的隐藏状态预测第 1 天：RNN 和 LSTM 只差 cell 这一个参数。"""

    def __init__(self, cell, hidden_size=8):
        super().__init__()
        self.cell = cell(input_size=1, hidden_size=hidden_size, batch_first=True)  # nn.RNN 或 nn.LSTM
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):
        output, _ = self.cell(x)
        return self.head(output[:, -1]).squeeze(-1)


def set_gate_biases(lstm, forget, input=None):
    """把 LSTM 遗忘门（和输入门）的偏置设成给定的值：PyTorch 按 i、f、g、o 叠放四个门，
    每个门有两个偏置（bias_ih、bias_hh），相加后起作用，这里把和放进 bias_ih、bias_hh 置零。"""
    h = lstm.hidden_size
    with torch.no_grad():
        for gate, value in ((1, forget), (0, input)):
            if value is not None:
                lstm.bias_ih_l0[gate * h:(gate + 1) * h] = value
                lstm.bias_hh_l0[gate * h:(gate + 1) * h] = 0
    return lstm


def chrono(lstm, t_max):
    """chrono 初始化（Tallec & Ollivier, 2018）：遗忘门偏置取 log(U(1, t_max − 1))，输入门偏置取它的相反数，
    让各个记忆分量一开始就记得住 1 到 t_max 天。"""
    forget = torch.log(1 + torch.rand(lstm.hidden_size) * (t_max - 2))
    return set_gate_biases(lstm, forget, -forget)


# 模型：名字 -> 给定序列长度、造出一个刚初始化的模型
MODELS = {
    "RNN": lambda length: Reader(nn.RNN),
    "LSTM": lambda length: Reader(nn.LSTM),
    "LSTM（遗忘门偏置 1）": lambda length: (m := Reader(nn.LSTM), set_gate_biases(m.cell, 1.0))[0],
    "LSTM（chrono）": lambda length: (m := Reader(nn.LSTM), chrono(m.cell, length))[0],
    "LSTM（chrono，hidden_size=1）": lambda length: (m := Reader(nn.LSTM, hidden_size=1), chrono(m.cell, length))[0],
}
# --8<-- [end:model]

# --8<-- [start:gradient]
def first_day_gradient(model, length, seed, n=64):
    """预测对第 1 天输入的敏感程度 |∂ŷ/∂x₁|，n 条序列的平均。"""
    x, _ = make_data(n, length, torch.Generator().manual_seed(seed))
    x.requires_grad_(True)
    model(x).sum().backward()
    return x.grad[:, 0, 0].abs().mean().item()


def forget_gate_mean(model, length, seed, n=64):
    """LSTM 的遗忘门 f_t 在所有序列、所有天、所有分量上的平均值（RNN 没有遗忘门）。"""
    if not isinstance(model.cell, nn.LSTM):
        return None
    x, _ = make_data(n, length, torch.Generator().manual_seed(seed))
    w_ih, w_hh = model.cell.weight_ih_l0, model.cell.weight_hh_l0
    b = model.cell.bias_ih_l0 + model.cell.bias_hh_l0
    h = c = torch.zeros(n, model.cell.hidden_size)
    gates = []
    with torch.no_grad():
        for t in range(length):
            i, f, g, o = (x[:, t] @ w_ih.T + h @ w_hh.T + b).chunk(4, dim=1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            gates.append(f.sigmoid().mean())
    return torch.stack(gates).mean().item()
# --8<-- [end:gradient]

# --8<-- [start:at-init]
print("列：" + "，".join(f"{k} {name}" for k, name in enumerate(MODELS, 1)))
print("长度" + "".join(f"{k:>10}" for k in range(1, len(MODELS) + 1)))
for length in (4, 8, 16, 32, 64, 128):
    cells = []
    for name, make in MODELS.items():
        torch.manual_seed(0)
        cells.append(f"{first_day_gradient(make(length), length, seed=0):10.1e}")
    print(f"{length:4d}" + "".join(cells))
for name, make in MODELS.items():
    torch.manual_seed(0)
    mean = forget_gate_mean(make(64), 64, seed=0)
    if mean is not None:
        print(f"{name}：长度 64 时，一开始遗忘门的平均值 {mean:.3f}")
# --8<-- [end:at-init]

# --8<-- [start:train]
def train(model, length, seed, steps=1200, batch_size=32, lr=0.01):
    """Adam，每步一批新的随机序列；训练完在 512 条没见过的序列上算准确率。"""
    generator = torch.Generator().manual_seed(1000 + seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        x, y = make_data(batch_size, length, generator)
        loss = ((model(x) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    x, y = make_data(512, length, torch.Generator().manual_seed(99))
    with torch.no_grad():
        return ((model(x) > 0.5).float() == y).float().mean().item()


def learned(accuracy):
    return accuracy >= 0.95
# --8<-- [end:train]

# --8<-- [start:train-demo]
for name in ("LSTM", "LSTM（chrono）"):
    torch.manual_seed(0)
    accuracy = train(MODELS[name](16), length=16, seed=0, steps=400)
    print(f"{name}，长度 16，训练 400 步：准确率 {accuracy:.2f}，学会了吗？{learned(accuracy)}")
# --8<-- [end:train-demo]

# --8<-- [start:explode]
rnn = nn.RNN(input_size=1, hidden_size=1, nonlinearity="relu", bias=False)
with torch.no_grad():
    rnn.weight_ih_l0.fill_(1.0)
    rnn.weight_hh_l0.fill_(1.5)  # 每过一天，隐藏状态先乘以 1.5，再加上输入
for length in (8, 16, 32, 64):
    rnn.zero_grad()
    output, _ = rnn(torch.ones(length, 1))
    output[-1].sum().backward()
    norm = torch.nn.utils.clip_grad_norm_(rnn.parameters(), max_norm=1.0)  # 返回裁剪前的长度
    clipped = torch.cat([p.grad.flatten() for p in rnn.parameters()]).norm()
    print(f"长度 {length:2d}：梯度长度 {norm.item():9.3e}，裁剪后 {clipped.item():.3f}")
# --8<-- [end:explode]

# --8<-- [start:main]
LENGTHS = [8, 16, 32, 64]
SEEDS = list(range(10))
# 步数 × 长度之和 × 种子数 × 模型数：默认是 720 万，在 CI 的机器上跑二十分钟左右；上限取它的两倍左右
MAX_WORK = 15_000_000


def study(lengths=LENGTHS, seeds=SEEDS, steps=1200, models=MODELS):
    def whole(n):
        return isinstance(n, int) and not isinstance(n, bool)

    problems = [f"长度 {n!r} 不是 2 以上的整数" for n in lengths if not (whole(n) and n >= 2)]
    problems += [f"种子 {s!r} 不是非负整数" for s in seeds if not (whole(s) and s >= 0)]
    if not (whole(steps) and steps > 0):
        problems.append(f"训练步数 {steps!r} 不是正整数")
    if not lengths or not seeds or len(set(lengths)) != len(lengths) or len(set(seeds)) != len(seeds):
        problems.append(f"长度 {lengths} 和种子 {seeds} 都不能为空，也不能有重复")
    if not problems and steps * sum(lengths) * len(seeds) * len(models) > MAX_WORK:
        problems.append(f"{steps} 步 × 长度之和 {sum(lengths)} × {len(seeds)} 个种子 × {len(models)} 个模型"
                        f"超过了 {MAX_WORK}")
    if problems:
        raise ValueError("这个实验做不了：" + "；".join(problems))
    result = {"lengths": lengths, "seeds": seeds, "steps": steps, "models": {}}
    for name, make in models.items():
        rows = []
        for length in lengths:
            row = {"length": length, "gradient_init": [], "gradient_trained": [], "forget_init": [],
                   "forget_trained": [], "accuracy": []}
            for seed in seeds:
                torch.manual_seed(seed)
                model = make(length)
                row["gradient_init"].append(first_day_gradient(model, length, seed))
                row["forget_init"].append(forget_gate_mean(model, length, seed))
                row["accuracy"].append(round(train(model, length, seed, steps), 4))
                model.zero_grad()
                row["gradient_trained"].append(first_day_gradient(model, length, seed))
                row["forget_trained"].append(forget_gate_mean(model, length, seed))
            row["learned"] = sum(map(learned, row["accuracy"]))
            rows.append(row)
        result["models"][name] = rows
    return result


if __name__ == "__main__" and sys.argv[1:2] == ["--study"]:  # python snippets/gradients.py --study 结果.json
    if len(sys.argv) != 3:
        sys.exit("用法：python snippets/gradients.py --study 结果.json")
    result = study()
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
# --8<-- [end:main]
