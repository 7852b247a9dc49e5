"""Chapter gradients: what the study measured, that the page says it, and a few of its points re-run.

Thresholds are set from the committed study with a wide margin (orders of magnitude apart), so that the
tests fail if the RNN and the LSTM were swapped, or the LSTM's forget gate were started as PyTorch does.
"""
from __future__ import annotations

import inspect
import re
from statistics import mean

import lightning as L
import pytest
import torch

import artifacts
from pages import DOCS, expand, script_sections

HOW_TO_FIX = artifacts.how_to_make("gradients.json")
PAGE = (DOCS / "gradients.md").read_text(encoding="utf-8")
# The study's code, without the page's demonstrations.
code = script_sections("gradients.py", ["imports", "data", "model", "gradient", "train", "main"])
geometric_mean = artifacts.figures_hook.geometric_mean  # the chart's, so the sentences and the chart agree
RNN, DEFAULT, OPEN = "RNN", "LSTM", "LSTM（chrono）"


def study() -> dict:
    return artifacts.study("gradients.json")


def row(model: str, length: int) -> dict:
    return next(r for r in study()["models"][model] if r["length"] == length)


def test_committed_study_is_what_the_study_code_runs():
    data = study()
    assert list(data["models"]) == list(code.MODELS), f"gradients.json has models {list(data['models'])}; {HOW_TO_FIX}"
    assert (data["lengths"], data["seeds"], data["steps"]) == (code.LENGTHS, code.SEEDS, 1200), HOW_TO_FIX
    for name, rows in data["models"].items():
        for r in rows:
            assert len(r["accuracy"]) == len(data["seeds"]), (name, r["length"])
            assert r["learned"] == sum(map(code.learned, r["accuracy"])), f"{name}, length {r['length']}: {HOW_TO_FIX}"


def test_the_rnns_gradient_vanishes_with_length():
    """At initialisation |dŷ/dx₁| of the RNN falls by more than ten orders of magnitude from the shortest
    length to the longest."""
    lengths = study()["lengths"]
    first, last = (geometric_mean(row(RNN, n)["gradient_init"]) for n in (lengths[0], lengths[-1]))
    assert first / last > 1e10, (first, last)


def test_the_open_forget_gate_keeps_the_gradient():
    """From the shortest length to the longest, the default LSTM's gradient at initialisation falls by more
    than eight orders of magnitude; chrono's, by less than two, and at the longest length it is more than six
    orders of magnitude larger than the RNN's or the default LSTM's."""
    lengths = study()["lengths"]
    for model, fall in ((DEFAULT, lambda r: r > 1e8), (OPEN, lambda r: r < 1e2)):
        first, last = (geometric_mean(row(model, n)["gradient_init"]) for n in (lengths[0], lengths[-1]))
        assert fall(first / last), (model, first, last)
    rnn, default, open_ = (geometric_mean(row(m, lengths[-1])["gradient_init"]) for m in (RNN, DEFAULT, OPEN))
    assert open_ / rnn > 1e6 and open_ / default > 1e6, (rnn, default, open_)


def test_the_forget_gate_starts_near_one_half_by_default():
    """PyTorch's default puts the forget gate near 0.5 (the theory page's correction says so); chrono's is open;
    the RNN has none."""
    assert all(f is None for r in study()["models"][RNN] for f in r["forget_init"])
    for r in study()["models"][DEFAULT]:
        assert 0.4 < mean(r["forget_init"]) < 0.6, r["length"]
    longest = study()["models"][OPEN][-1]
    assert mean(longest["forget_init"]) > 0.8, longest["forget_init"]


def test_at_the_longest_length_the_open_lstm_learns_more_often_than_the_rnn():
    longest = study()["lengths"][-1]
    assert row(OPEN, longest)["learned"] > row(RNN, longest)["learned"], (row(OPEN, longest), row(RNN, longest))
    assert row(OPEN, longest)["learned"] > row(DEFAULT, longest)["learned"]


def said(pattern: str) -> tuple:
    m = re.search(pattern, PAGE)
    assert m, f"gradients.md no longer says {pattern!r}"
    return m.groups()


def test_the_page_says_what_the_study_measured():
    data = study()
    n, longest = len(data["seeds"]), data["lengths"][-1]
    counts = said(r"长度 (\d+) 时，(\d+) 个种子里，RNN 学会了 (\d+) 次，默认初始化的 LSTM (\d+) 次，chrono 初始化的 LSTM (\d+) 次")
    assert counts == tuple(map(str, (longest, n, row(RNN, longest)["learned"], row(DEFAULT, longest)["learned"],
                                     row(OPEN, longest)["learned"]))), counts


def at_init_table(runs) -> dict[int, list[float]]:
    text = runs["gradients"].text_for("gradients.py:at-init")
    return {int(m[1]): [float(v) for v in m[2].split()] for m in re.finditer(r"^\s*(\d+)((?:\s+[\d.e+-]+){5})$", text, re.M)}


def test_the_pages_table_is_the_studys_seed_0(runs):
    """The gradients the page prints at initialisation (seed 0) are the study's for seed 0, where both measured."""
    table = at_init_table(runs)
    data = study()
    compared = 0
    for i, (name, rows) in enumerate(data["models"].items()):
        for r in rows:
            if r["length"] in table:
                assert table[r["length"]][i] == pytest.approx(r["gradient_init"][0], rel=0.06), (name, r["length"])
                compared += 1
    assert compared >= 10, table


def test_the_exploding_gradient_grows_and_is_clipped(runs):
    """The page's RNN with a recurrent weight of 1.5: the gradient's length grows with the sequence, by more
    than ten orders of magnitude from 8 to 64 days, and clip_grad_norm_ brings each one to 1."""
    text = runs["gradients"].text_for("gradients.py:explode")
    found = [(int(n), float(g), float(c)) for n, g, c in re.findall(r"长度\s*(\d+)：梯度长度\s*([\d.e+]+)，裁剪后 ([\d.]+)", text)]
    assert [n for n, _, _ in found] == [8, 16, 32, 64], text
    norms = [g for _, g, _ in found]
    assert norms == sorted(norms) and norms[-1] / norms[0] > 1e10, norms
    assert all(c == pytest.approx(1.0, abs=1e-3) for _, _, c in found), found


def test_each_day_back_multiplies_the_gradient_by_the_recurrent_weight():
    """5.5's mechanism, on the RNN the page describes and its code builds (1-dim, no bias, input weight 1,
    recurrent weight 1.5, ReLU, inputs all 1): the last day's hidden state depends on the first day's by
    exactly 1.5 for each day between them."""
    code_shown = expand('--8<-- "gradients.py:explode"')
    assert 'nonlinearity="relu", bias=False' in code_shown and "weight_hh_l0.fill_(1.5)" in code_shown
    said("递归的权重是 1.5，激活函数用不会饱和的 ReLU，输入全是 1；每往回传一天，梯度就再乘一次 1.5")
    rnn = torch.nn.RNN(input_size=1, hidden_size=1, nonlinearity="relu", bias=False)
    with torch.no_grad():
        rnn.weight_ih_l0.fill_(1.0)
        rnn.weight_hh_l0.fill_(1.5)
    for length in (8, 16):
        h0 = torch.zeros(1, 1, requires_grad=True)
        output, _ = rnn(torch.ones(length, 1), h0)
        (grad,) = torch.autograd.grad(output[-1].sum(), h0)
        assert grad.item() == pytest.approx(1.5 ** length, rel=1e-5), (length, grad.item())


def test_lightnings_gradient_clip_val_is_clip_grad_norm(tmp_path):
    """The page: Trainer(gradient_clip_val=...) does what clip_grad_norm_ does: one step of each from the same
    start gives the same parameters."""
    from torch.utils.data import DataLoader, TensorDataset

    class Clipped(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.RNN(1, 1, nonlinearity="relu", bias=False)
            with torch.no_grad():
                self.rnn.weight_ih_l0.fill_(1.0)
                self.rnn.weight_hh_l0.fill_(1.5)

        def training_step(self, batch, batch_idx):
            output, _ = self.rnn(batch[0][0])
            return output[-1].sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    x = torch.ones(1, 32, 1)
    lightning = Clipped()
    trainer = L.Trainer(max_steps=1, gradient_clip_val=1.0, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(lightning, DataLoader(TensorDataset(x)))
    plain = Clipped()
    plain.training_step((x,), 0).backward()
    torch.nn.utils.clip_grad_norm_(plain.parameters(), max_norm=1.0)
    plain.configure_optimizers().step()
    for a, b in zip(lightning.parameters(), plain.parameters()):
        assert torch.allclose(a, b), (a, b)


@pytest.mark.parametrize("kwargs, said_", [
    ({"lengths": [0]}, "长度 0 不是 2 以上的整数"),
    ({"lengths": []}, "不能为空，也不能有重复"),
    ({"lengths": [8, 8]}, "不能为空，也不能有重复"),
    ({"seeds": [-1]}, "种子 -1 不是非负整数"),
    ({"seeds": [True]}, "种子 True 不是非负整数"),
    ({"steps": 0}, "训练步数 0 不是正整数"),
    ({"lengths": [4096], "steps": 1200}, "1200 步 × 长度之和 4096 × 10 个种子 × 5 个模型超过了"),
    ({"seeds": list(range(30))}, "1200 步 × 长度之和 120 × 30 个种子 × 5 个模型超过了"),
], ids=["zero-length", "no-lengths", "repeated-length", "negative-seed", "bool-seed", "no-steps", "too-long", "too-many-seeds"])
def test_the_study_refuses_what_it_cannot_run(kwargs, said_):
    with pytest.raises(ValueError, match=f"这个实验做不了：.*{re.escape(said_)}"):
        code.study(**kwargs)


def test_the_pages_sentences_about_gradients_are_the_studys():
    data = study()
    longest = data["lengths"][-1]
    names = {"RNN": RNN, "默认初始化的 LSTM": DEFAULT, "遗忘门偏置 1 的 LSTM": "LSTM（遗忘门偏置 1）", "chrono 初始化的 LSTM": OPEN}
    sentence = said(rf"长度 {longest} 时，RNN 的梯度只剩 ([\d.e+-]+)，默认初始化的 LSTM ([\d.e+-]+)，"
                    r"遗忘门偏置 1 的 LSTM ([\d.e+-]+)，chrono 初始化的 LSTM 还有 ([\d.e+-]+)。")
    assert sentence == tuple(f"{geometric_mean(row(m, longest)['gradient_init']):.1e}" for m in names.values()), sentence
    (forget,) = said(rf"默认初始化的 LSTM，遗忘门一开始的平均值（{len(data['seeds'])} 个种子）是 ([\d.]+)。")
    assert forget == f"{mean(row(DEFAULT, longest)['forget_init']):.2f}"


def test_the_default_lstm_learns_less_often_than_the_rnn():
    """The page: from length 16 on the default LSTM never learned, and less often than the RNN; training closed
    its forget gate further at each of those lengths; the forget-gate bias of 1 helped at 16 only."""
    data = study()
    longer = [n for n in data["lengths"] if n >= 16]
    assert all(row(DEFAULT, n)["learned"] == 0 for n in longer), [row(DEFAULT, n)["learned"] for n in longer]
    assert sum(row(RNN, n)["learned"] for n in longer) > 0
    (n16,) = said(r"长度 16 时 RNN 学会了 (\d+) 次")
    assert int(n16) == row(RNN, 16)["learned"]
    before, after = said(rf"在这些长度上，训练之后它的遗忘门平均值不升反降，长度 {data['lengths'][-1]} 时从 ([\d.]+) 降到了 ([\d.]+)")
    r = row(DEFAULT, data["lengths"][-1])
    assert (before, after) == (f"{mean(r['forget_init']):.2f}",
                               f"{mean(r['forget_trained']):.2f}")
    assert all(mean(row(DEFAULT, n)["forget_trained"]) < mean(row(DEFAULT, n)["forget_init"]) for n in longer), \
        "the page says the default LSTM's forget gate closes with training at every length from 16 on"
    assert all(geometric_mean(row(DEFAULT, n)["gradient_trained"]) < geometric_mean(row(DEFAULT, n)["gradient_init"])
               for n in longer), "the page says the default LSTM's gradient shrinks with training from length 16 on"
    (bias_1,) = said(r"遗忘门偏置 1 在长度 16 时有用（学会 (\d+) 次），长度 32 和 64 一次也没学会")
    assert int(bias_1) == row("LSTM（遗忘门偏置 1）", 16)["learned"]
    assert [row("LSTM（遗忘门偏置 1）", n)["learned"] for n in (32, 64)] == [0, 0]


def test_hidden_size_1_is_too_small():
    counts = said(r"`hidden_size=1` 的 chrono LSTM 在长度 8 时 10 个种子里学会 (\d+) 次，长度 16 时只有 (\d+) 次，"
                  r"32 和 64 一次也没有；同样的初始化、`hidden_size=8` 时是 (\d+)、(\d+)、(\d+)、(\d+) 次")
    small = [row("LSTM（chrono，hidden_size=1）", n)["learned"] for n in study()["lengths"]]
    large = [row(OPEN, n)["learned"] for n in study()["lengths"]]
    assert small[2:] == [0, 0] and tuple(map(int, counts)) == (small[0], small[1], *large), (counts, small, large)


def test_the_pages_setup_is_the_codes():
    """The numbers the page gives for how the study trains and judges are the code's defaults."""
    train = inspect.signature(code.train).parameters
    gradient = inspect.signature(code.first_day_gradient).parameters
    data = study()
    said(rf"每一步用 {train['batch_size'].default} 条新抽的序列，Adam，学习率 {train['lr'].default}，"
         rf"训练完在 512 条没见过的序列上看准确率，到 95% 就算学会了")
    assert "make_data(512," in expand('--8<-- "gradients.py:train"') and code.learned(0.95) and not code.learned(0.9499)
    said(rf"种子 0，{gradient['n'].default} 条序列的平均")
    said(rf"把五个模型放在 {len(data['lengths'])} 种长度、{len(data['seeds'])} 个种子上各训练 {data['steps']} 步")
    assert len(data["models"]) == 5 and train["steps"].default == data["steps"]
    said(r"测试会重新训练其中一个点，并重算每个模型在每种长度上的初始梯度")  # the two tests below do


def test_every_models_start_is_the_studys():
    """Seed 0 of every model at every length, untrained (no training, so it is quick): the gradient and the
    forget gate the study recorded. A model whose initialisation changed (chrono dropped, a bias moved) fails."""
    data = study()
    seed = data["seeds"][0]
    for name, make in code.MODELS.items():
        for length in data["lengths"]:
            torch.manual_seed(seed)
            model = make(length)
            committed = row(name, length)
            gradient = code.first_day_gradient(model, length, seed)
            assert gradient == pytest.approx(committed["gradient_init"][0], rel=1e-3), (name, length)
            forget = code.forget_gate_mean(model, length, seed)
            assert forget == (None if committed["forget_init"][0] is None else
                              pytest.approx(committed["forget_init"][0], abs=1e-4)), (name, length)


def test_a_point_of_the_study_reruns():
    """One training of the study rerun whole (a few seconds): at length 16, seed 0, the chrono LSTM learns, as
    the committed study says. A learned point, because a training that did nothing would also land on a
    "not learned" one."""
    model, length, seed = OPEN, 16, 0
    data = study()
    torch.manual_seed(seed)
    accuracy = code.train(code.MODELS[model](length), length, seed, data["steps"])
    expected = row(model, length)["accuracy"][data["seeds"].index(seed)]
    assert accuracy == pytest.approx(expected, abs=0.02) and code.learned(accuracy) and code.learned(expected)


def test_the_demo_trains_as_the_study_does(runs):
    """The page's demonstration: at length 16 the default LSTM does not learn in 400 steps, the chrono one does."""
    printed = dict(re.findall(r"(LSTM[^，\n]*)，长度 16，训练 400 步：准确率 [\d.]+，学会了吗？(True|False)",
                              runs["gradients"].text_for("gradients.py:train-demo")))
    assert printed == {DEFAULT: "False", OPEN: "True"}, printed


def test_the_explosion_sentence_is_the_pages_output(runs):
    text = runs["gradients"].text_for("gradients.py:explode")
    first, last = said(r"长度 8 时梯度的长度已经是 ([\d.e+]+)，64 天时到了 ([\d.e+]+)，")
    printed = dict(re.findall(r"长度\s*(\d+)：梯度长度\s*([\d.e+]+)", text))
    assert float(first) == pytest.approx(float(printed["8"]), rel=0.01)
    assert float(last) == pytest.approx(float(printed["64"]), rel=0.05)
    chrono_128 = at_init_table(runs)[128][list(code.MODELS).index(OPEN)]
    assert chrono_128 > 1e-5 and "128 天之后梯度还在 1e-5 以上" in PAGE, chrono_128


def test_the_forget_gate_words_are_the_printed_values(runs):
    """The page reads the printed forget gates at length 64: the default LSTM's about half open, bias 1's over
    seventy percent, chrono's about 0.9."""
    printed = dict(re.findall(r"(LSTM[^：\n]*)：长度 64 时，一开始遗忘门的平均值 ([\d.]+)",
                              runs["gradients"].text_for("gradients.py:at-init")))
    assert abs(float(printed[DEFAULT]) - 0.5) < 0.05 and "遗忘门一开始平均只开了一半左右" in PAGE, printed
    assert 0.7 <= float(printed["LSTM（遗忘门偏置 1）"]) < 0.8 and "遗忘门开到七成多" in PAGE, printed
    assert round(float(printed[OPEN]), 1) == 0.9 and "（上面长度 64 时约 0.9）" in PAGE, printed
