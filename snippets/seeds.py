"""Chapter seeds, top to bottom: python snippets/seeds.py
The whole study (about a quarter of an hour): python snippets/seeds.py --study docs/generated/seeds.json"""
from models import LightningLSTM, LSTMbyHand
from plain_loop import fit

# --8<-- [start:imports]
import json
import sys

import lightning as L
import torch
import torch.nn.functional as F
# --8<-- [end:imports]

# --8<-- [start:run]
INPUTS = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])
LABELS = torch.tensor([0., 1.])


def learned(model):
    """公司 A 的预测离 0、公司 B 的预测离 1 都不到 0.1。"""
    a, b = predict(model)
    return abs(a) < 0.1 and abs(b - 1) < 0.1


def predict(model):
    with torch.no_grad():
        return [model(x).item() for x in INPUTS]


def run_seed(model_class, seed, epochs):
    """用一个种子从头训练：返回模型和优化器（之后还可以接着训练）。"""
    L.seed_everything(seed, verbose=False)
    model = model_class()
    optimizer = model.configure_optimizers()
    fit(model, INPUTS, LABELS, epochs, optimizer)
    return model, optimizer
# --8<-- [end:run]

# --8<-- [start:demo]
for seed in (0, 3):
    model, _ = run_seed(LightningLSTM, seed, 300)
    a, b = predict(model)
    print(f"nn.LSTM，种子 {seed}，300 轮：公司 A {a:.4f}，公司 B {b:.4f}，学会了吗？{learned(model)}")
# --8<-- [end:demo]

# --8<-- [start:pulls]
def pulls(model):
    """两家公司各自的梯度（优化器每一步只跟着其中一家走）和它们的和。"""
    grads = []
    for x, label in zip(INPUTS, LABELS):
        model.zero_grad()
        ((model(x) - label) ** 2).sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    g_a, g_b = grads
    return {"A": g_a.norm().item(), "B": g_b.norm().item(), "A+B": (g_a + g_b).norm().item(),
            "cos": F.cosine_similarity(g_a, g_b, dim=0).item()}


def hessian_eigenvalues(model):
    """两家公司的损失之和对全部参数的二阶导数矩阵（Hessian）的特征值，从小到大。"""
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]

    def loss(flat):
        tensors = flat.split([s.numel() for s in shapes])
        params = {n: t.view(s) for n, t, s in zip(names, tensors, shapes)}
        return sum(((torch.func.functional_call(model, params, (x,)) - label) ** 2).sum()
                   for x, label in zip(INPUTS, LABELS))

    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    return torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss, flat))
# --8<-- [end:pulls]

# --8<-- [start:stuck]
model, optimizer = run_seed(LightningLSTM, 3, 300)
p = pulls(model)
print(f"公司 A 的梯度长度 {p['A']:.3f}，公司 B 的 {p['B']:.3f}，两者之和只有 {p['A+B']:.4f}，夹角余弦 {p['cos']:.3f}")
print("Hessian 最小的三个特征值：", [round(v, 4) for v in hessian_eigenvalues(model)[:3].tolist()])
# --8<-- [end:stuck]

# --8<-- [start:longer]
def train_until_learned(model, optimizer, epochs_done, longer, every=50):
    """接着训练（同一个优化器），每 every 轮看一次；返回学会时的轮数，到 longer 轮还没学会就返回 None。"""
    while not learned(model):
        if epochs_done >= longer:
            return None
        fit(model, INPUTS, LABELS, every, optimizer)
        epochs_done += every
    return epochs_done
# --8<-- [end:longer]

# --8<-- [start:escape]
print("种子 3 的 nn.LSTM 接着训练，学会时是第", train_until_learned(model, optimizer, 300, 3000), "轮")
# --8<-- [end:escape]

# --8<-- [start:main]
# 模型：（类，正文的训练轮数，没学会时最多接着训练到多少轮）
MODELS = {"手搓 LSTM": (LSTMbyHand, 5000, 20000), "nn.LSTM": (LightningLSTM, 300, 3000)}
SEEDS = [*range(20), 42]
EVERY = 50  # 接着训练时，每多少轮看一次学会了没有


def study_seed(model_class, seed, epochs, longer):
    model, optimizer = run_seed(model_class, seed, epochs)
    a, b = predict(model)
    row = {"seed": seed, "A": round(a, 4), "B": round(b, 4), "learned": learned(model)}
    if not row["learned"]:
        row["pulls"] = {k: round(v, 4) for k, v in pulls(model).items()}
        row["hessian_min"] = round(hessian_eigenvalues(model)[0].item(), 4)
        row["escaped_at"] = train_until_learned(model, optimizer, epochs, longer, EVERY)
        row["A_after"], row["B_after"] = (round(v, 4) for v in predict(model))
    return row


def study(seeds=SEEDS, models=MODELS):
    problems = [f"种子 {s!r} 不是 0 到 2**32-1 之间的整数" for s in seeds
                if not (isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**32)]
    problems += [f"{name}：训练 {epochs} 轮、最多 {longer} 轮，要求 0 < 训练轮数 ≤ 最多轮数"
                 for name, (_, epochs, longer) in models.items() if not 0 < epochs <= longer]
    if not seeds or len(set(seeds)) != len(seeds):
        problems.append(f"种子列表 {seeds} 为空或有重复")
    if problems:
        raise ValueError("这个实验做不了：" + "；".join(problems))
    return {name: {"epochs": epochs, "longer": longer, "every": EVERY,
                   "runs": [study_seed(cls, seed, epochs, longer) for seed in seeds]}
            for name, (cls, epochs, longer) in models.items()}


if __name__ == "__main__" and sys.argv[1:2] == ["--study"]:  # python snippets/seeds.py --study 结果.json
    if len(sys.argv) != 3:
        sys.exit("用法：python snippets/seeds.py --study 结果.json")
    result = study()
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
# --8<-- [end:main]
