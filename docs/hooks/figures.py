"""MkDocs hook: figures and tables drawn from the run's data while the site is built (pydantic's docs do
the same with their hooks), so that no generated HTML is committed and every caption lives in its page.

A page asks for one with a figure holding its caption, written on the page:

    <figure class="data-view" data-view="curves" data-source="curves/lstm-by-hand.csv" data-fits="1">
    <figcaption>手搓 LSTM：前 2000 轮……</figcaption>
    </figure>

`data-view` names a function of VIEWS; `data-source` is a file under docs/generated/; other `data-*`
attributes are the view's options. The view draws the figure (an SVG chart coloured by the site's CSS,
or a table) in front of the caption. notebooks.py draws the same views into the notebooks, the charts
as standalone SVG.

Numbers a caption states are checked against the data: each "N 轮" must be an epoch count of what the
view shows (where a fit ended, or how many epochs a fit trained), each "N 步" and "N 个种子" the study's
steps and number of seeds, so a caption cannot go on saying 2000 after the code changes to 1500. A
missing or malformed data file, or a caption that disagrees, fails the build naming the page, the file
and what to run.
"""
import csv
import html
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError

GENERATED = Path(__file__).parents[1] / "generated"
REGENERATE = "run `pytest --regenerate`"
# Inside an admonition, Python-Markdown wraps the figure in a <p>: that goes too.
FIGURE = re.compile(r'(?:<p>)?<figure class="data-view"(?P<attrs>[^>]*)>\s*<figcaption>(?P<caption>.*?)</figcaption>\s*</figure>(?:</p>)?', re.S)
ATTRIBUTE = re.compile(r'data-([\w-]+)="([^"]*)"')
# The counts a caption may state, by their unit: each must be one the view's data gives (Chart.counts).
SAID = {unit: re.compile(rf"(\d[\d,]*)\s*{unit}") for unit in ("轮", "步", "个种子")}

# --- data ----------------------------------------------------------------------------------------------

TAGS = ("train_loss", "out_0", "out_1")
CURVE_COLUMNS = ("fit", "step", "epoch") + TAGS  # what tests/artifacts.py writes


def read_curves(path: Path) -> list[dict]:
    """Training curves back from CSV, refusing a file that is not what tests/artifacts.py writes."""
    name = shown(path)
    try:
        with path.open(encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != CURVE_COLUMNS:
                raise ValueError(f"columns {reader.fieldnames}, expected {list(CURVE_COLUMNS)}")
            rows = [{k: (int(v) if k in ("fit", "step", "epoch") else float(v)) for k, v in r.items() if v != ""}
                    for r in reader]
    except FileNotFoundError:
        raise PluginError(f"{name} is missing: {REGENERATE}") from None
    except (OSError, ValueError, TypeError) as e:
        raise PluginError(f"{name} is malformed ({e}): {REGENERATE}") from None
    if not rows:
        raise PluginError(f"{name} holds no rows: {REGENERATE}")
    empty = [tag for tag in TAGS if not any(tag in r for r in rows)]
    if empty:
        raise PluginError(f"{name} holds no values of {empty}: {REGENERATE}")
    if len({r["epoch"] for r in rows}) < 2:
        raise PluginError(f"{name} holds fewer than two epochs, no curve to draw: {REGENERATE}")
    return rows


def read_json(path: Path, how_to_make: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PluginError(f"{shown(path)} is missing: {how_to_make}") from None
    except (OSError, ValueError) as e:
        raise PluginError(f"{shown(path)} is malformed ({e}): {how_to_make}") from None


def fixed(value: float, digits: int = 4) -> str:
    """A number with `digits` decimals, never "-0.0000"."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(GENERATED.parents[1]).as_posix()
    except ValueError:
        return str(path)


# --- what a view draws ---------------------------------------------------------------------------------

@dataclass
class Series:
    key: str  # CSS class: its colour (extra.css; STANDALONE_STYLE for notebooks)
    label: str
    points: list[tuple[float, float]]
    dashed: bool = False
    dots: bool = False  # few points: each one drawn


@dataclass
class Chart:
    series: list[Series]
    x_label: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    y_range: tuple[float, float]
    log_x: bool = False
    log_y: bool = False
    markers: list[tuple[float, str]] = field(default_factory=list)
    summary: str = ""  # a sentence from the data, after the page's caption
    counts: dict[str, set[int]] = field(default_factory=dict)  # what a caption may state, by unit (SAID)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    summary: str = ""  # kept empty: a table says it all
    counts: dict[str, set[int]] = field(default_factory=dict)


def curves(source: Path, fits: str = "") -> Chart:
    """A chapter's training curves by epoch: both companies' predictions, and both companies' losses.

    The post's training_step logs train_loss on every step, but with two batches an epoch Lightning only
    writes the logs at the second batch of an epoch, Company B's: every train_loss point is B's loss,
    (out_1 - 1)^2. out_0, logged on A's step of the same epoch, gives A's loss, out_0^2.
    """
    rows = read_curves(source)
    wanted = {int(f) for f in fits.split(",")} if fits else {r["fit"] for r in rows}
    rows = [r for r in rows if r["fit"] in wanted]
    if not rows:
        raise PluginError(f"{shown(source)} has no points of fits {sorted(wanted)}")
    ends = {}
    for r in rows:
        ends[r["fit"]] = max(ends.get(r["fit"], 0), r["epoch"])
    order = sorted(ends)
    epochs = set(ends.values()) | {ends[b] - ends[a] for a, b in zip(order, order[1:])}
    markers = [(ends[a], "恢复训练") for a in order[:-1]]

    def points(value):
        return [(r["epoch"], value(r)) for r in rows if all(t in r for t in TAGS)]

    last = rows[-1]
    return Chart(
        series=[Series("company-a", "公司 A 的预测 out_0", points(lambda r: r["out_0"])),
                Series("company-a", "公司 A 的损失 out_0²", points(lambda r: r["out_0"] ** 2), dashed=True),
                Series("company-b", "公司 B 的预测 out_1", points(lambda r: r["out_1"])),
                Series("company-b", "公司 B 的损失 = train_loss", points(lambda r: r["train_loss"]), dashed=True)],
        x_label="训练轮数（epoch）", x_ticks=[(t, str(t)) for t in nice_ticks(last["epoch"])],
        y_ticks=[(v, f"{v:g}") for v in (0, 0.5, 1)], y_range=(-0.1, 1.1), markers=markers, counts={"轮": epochs},
        summary=(f"最后一个记录点（第 {last['epoch']} 轮）：公司 A 的预测 {fixed(last['out_0'])}，"
                 f"公司 B 的预测 {fixed(last['out_1'])}，train_loss {fixed(last['train_loss'])}，"
                 f"两家公司的平均损失 {fixed((last['out_0'] ** 2 + last['train_loss']) / 2)}。"))


SEED_STUDY = "run `python snippets/seeds.py --study docs/generated/seeds.json` (about a quarter of an hour)"


def seed_study(source: Path) -> dict:
    """snippets/seeds.py's study: per model, its epochs, the longer budget, and one row per seed."""
    data = read_json(source, SEED_STUDY)

    def require(obj, keys: tuple, what: str):
        if not isinstance(obj, dict):
            raise PluginError(f"{shown(source)}: {what} is not a JSON object; it is not what the study writes: {SEED_STUDY}")
        missing = [k for k in keys if k not in obj]
        if missing:
            raise PluginError(f"{shown(source)}: {what} has no {missing}; it is not what the study writes: {SEED_STUDY}")

    require(data, (), "the file")
    if not data:
        raise PluginError(f"{shown(source)} has no models; it is not what the study writes: {SEED_STUDY}")
    for name, study in data.items():
        require(study, ("epochs", "longer", "runs"), name)
        for row in study["runs"]:
            require(row, ("seed", "A", "B", "learned"), f"{name}'s row {row}")
            if not row["learned"]:
                require(row, ("pulls", "hessian_min", "escaped_at", "A_after", "B_after"), f"{name}, seed {row['seed']}")
                require(row["pulls"], ("A", "B", "A+B", "cos"), f"{name}, seed {row['seed']}'s pulls")
    return data


def seed_verdicts(source: Path) -> Table:
    """Each seed's predictions after the chapters' epochs, ✅ where both are within 0.1 of their labels."""
    data = seed_study(source)
    names = list(data)
    by_seed = [{r["seed"]: r for r in data[name]["runs"]} for name in names]
    seeds = sorted(set().union(*by_seed))
    rows = []
    for seed in seeds:
        cells = [f"{'✅' if r['learned'] else '❌'} A = {fixed(r['A'])}，B = {fixed(r['B'])}" if r else "—"
                 for r in (runs.get(seed) for runs in by_seed)]
        rows.append([str(seed)] + cells)
    rows.append(["学会的次数"] + [f"<strong>{sum(r['learned'] for r in data[n]['runs'])} / {len(data[n]['runs'])}</strong>"
                                 for n in names])
    return Table(["种子"] + [f"{name}（{data[name]['epochs']} 轮）" for name in names], rows,
                 counts={"轮": {data[name]["epochs"] for name in names}, "个种子": {len(seeds)}})


def seed_escapes(source: Path) -> Table:
    """The runs that had not learned by the chapters' epochs: the pulls there, and when they learned."""
    data = seed_study(source)
    rows = []
    for name, study in data.items():
        for r in study["runs"]:
            if r["learned"]:
                continue
            pulls = r["pulls"]
            after = (f"第 {r['escaped_at']} 轮学会" if r["escaped_at"] is not None else
                     f"到第 {study['longer']} 轮仍未学会（A = {fixed(r['A_after'])}，B = {fixed(r['B_after'])}）")
            rows.append([name, str(r["seed"]), f"{fixed(r['A'])} / {fixed(r['B'])}",
                         f"{pulls['A']:.3f} / {pulls['B']:.3f}", f"{pulls['A+B']:.4f}", f"{pulls['cos']:.4f}",
                         f"{r['hessian_min']:.4f}", after])
    return Table(["模型", "种子", "预测 A / B", "梯度长度 A / B", "A + B", "夹角余弦", "Hessian 最小特征值", "接着训练"], rows)


GRADIENT_STUDY = "run `python snippets/gradients.py --study docs/generated/gradients.json` (about twenty minutes)"


MODEL_COLOURS = 5  # model-1 … model-5 in extra.css and STANDALONE_STYLE


def gradient_study(source: Path) -> dict:
    """snippets/gradients.py's study: per model, one row per length, with one value per seed."""
    data = read_json(source, GRADIENT_STUDY)
    keys = ("length", "gradient_init", "gradient_trained", "forget_init", "forget_trained", "accuracy", "learned")
    problems = [k for k in ("lengths", "seeds", "steps", "models") if k not in data]
    if len(data.get("models", {})) > MODEL_COLOURS:
        problems.append(f"more than the {MODEL_COLOURS} models the chart has colours for")
    for name, rows in data.get("models", {}).items():
        problems += [f"{name}'s row {row.get('length')} lacks {k}" for row in rows for k in keys if k not in row]
        if [row.get("length") for row in rows] != data.get("lengths"):
            problems.append(f"{name}'s lengths are not {data.get('lengths')}")
    if problems:
        raise PluginError(f"{shown(source)} is not what the study writes ({'; '.join(problems[:3])}): {GRADIENT_STUDY}")
    return data


def geometric_mean(values: list[float]) -> float:
    """0 when a value is 0 (a gradient that underflowed float32), which a log axis then refuses by name."""
    if min(values) <= 0:
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))


def gradient_lengths(source: Path, when: str = "init") -> Chart:
    """|dŷ/dx₁| against the sequence's length, log-log, one line per model: the geometric mean over seeds,
    at initialisation (when="init") or after training (when="trained")."""
    data = gradient_study(source)
    series = [Series(f"model-{i}", name, [(row["length"], geometric_mean(row[f"gradient_{when}"])) for row in rows],
                     dots=True) for i, (name, rows) in enumerate(data["models"].items(), 1)]
    zero = [f"{s.label}={y:g} at {x:g}" for s in series for x, y in s.points if y <= 0]
    if zero:
        raise PluginError(f"a gradient of 0 has no place on a log axis: {zero[:3]}")
    values = [y for s in series for _, y in s.points]
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    high = max(high, low + 1)
    step = max(1, math.ceil((high - low) / 5))
    low = high - step * math.ceil((high - low) / step)
    return Chart(series, x_label="序列长度（天，对数刻度）", x_ticks=[(n, str(n)) for n in data["lengths"]],
                 y_ticks=[(10.0 ** e, f"1e{e}") for e in range(low, high + 1, step)], y_range=(10.0 ** low, 10.0 ** high),
                 log_x=True, log_y=True, counts={"步": {data["steps"]}, "个种子": {len(data["seeds"])}})


def gradient_learned(source: Path) -> Table:
    """For each length, how many seeds each model learned, and its forget gate's mean before and after."""
    data = gradient_study(source)
    n = len(data["seeds"])
    header = ["长度"] + [f"{name}" for name in data["models"]]
    rows = []
    for i, length in enumerate(data["lengths"]):
        cells = [str(length)]
        for name, model_rows in data["models"].items():
            row = model_rows[i]
            cell = f"{row['learned']} / {n}"
            if row["forget_init"] and row["forget_init"][0] is not None:  # None: a model without a forget gate
                before = sum(row["forget_init"]) / n
                after = sum(row["forget_trained"]) / n
                cell += f"（遗忘门 {before:.2f} → {after:.2f}）"
            cells.append(cell)
        rows.append(cells)
    return Table(header, rows, counts={"步": {data["steps"]}, "个种子": {n}})


HOW_TO_MAKE = {"seeds.json": SEED_STUDY, "gradients.json": GRADIENT_STUDY}  # other sources: REGENERATE
VIEWS = {"curves": curves, "seed-verdicts": seed_verdicts, "seed-escapes": seed_escapes,
         "gradient-lengths": gradient_lengths, "gradient-learned": gradient_learned}


# --- drawing -------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 28, 16, 48
# For notebooks, where the site's CSS is absent: the light scheme's colours (extra.css), on white.
STANDALONE_STYLE = (
    "text{font:15px sans-serif;fill:#555}.grid{stroke:#ddd}.marker{stroke:#777;stroke-dasharray:4 3}"
    ".series{fill:none;stroke-width:2}.dashed{stroke-dasharray:6 4}.dot{stroke:none}"
    ".company-a{stroke:#1565c0;fill:#1565c0}.company-b{stroke:#c62828;fill:#c62828}"
    ".model-1{stroke:#6d6d6d;fill:#6d6d6d}.model-2{stroke:#c62828;fill:#c62828}.model-3{stroke:#ef6c00;fill:#ef6c00}"
    ".model-4{stroke:#1565c0;fill:#1565c0}.model-5{stroke:#8e24aa;fill:#8e24aa}"
    ".series.dot{stroke:none}.legend-line{stroke-width:3}")


def nice_ticks(last: float) -> list[int]:
    for unit in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if last / unit <= 6:
            return list(range(0, int(last) + 1, unit))
    return [0, int(last)]


def svg(chart: Chart, label_id: str, standalone: bool = False) -> str:
    """The chart as SVG: for the site, coloured by extra.css; standalone, with its own colours and legend."""
    scale_x = math.log10 if chart.log_x else float
    scale_y = math.log10 if chart.log_y else float
    xs = [scale_x(x) for s in chart.series for x, _ in s.points] + [scale_x(x) for x, _ in chart.x_ticks]
    x_lo, x_hi = min(xs + [0.0] * (not chart.log_x)), max(xs)
    x_hi = max(x_hi, x_lo + 1)  # one point at x = 0 still gets an axis
    y_lo, y_hi = (scale_y(v) for v in chart.y_range)
    if y_hi <= y_lo:
        raise PluginError(f"the chart's range {chart.y_range} is empty")
    legend_rows = (len(chart.series) + 1) // 2 if standalone else 0
    top = TOP + 22 * legend_rows
    height = HEIGHT + 22 * legend_rows

    def x_of(x):
        return LEFT + (WIDTH - LEFT - RIGHT) * (scale_x(x) - x_lo) / (x_hi - x_lo)

    def y_of(y):
        return top + (height - top - BOTTOM) * (y_hi - scale_y(y)) / (y_hi - y_lo)

    outside = [f"{s.label}={y:g} at {x:g}" for s in chart.series for x, y in s.points
               if (chart.log_y and y <= 0) or not y_lo <= scale_y(y) <= y_hi]
    if outside:  # drawn clamped, the curve would lie
        raise PluginError(f"values outside the chart's range {chart.y_range}: {outside[:3]}")
    label = f'aria-labelledby="{label_id}"' if label_id else ""
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" {label}'
             + (' xmlns="http://www.w3.org/2000/svg"' if standalone else "") + ">"]
    if standalone:
        parts.append(f"<style>{STANDALONE_STYLE}</style>")
        parts.append(f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>')
        for i, s in enumerate(chart.series):
            lx, ly = LEFT + 300 * (i % 2), TOP + 22 * (i // 2) + 4
            dash = " dashed" if s.dashed else ""
            parts.append(f'<line class="series legend-line {s.key}{dash}" x1="{lx}" x2="{lx + 28}" y1="{ly}" y2="{ly}"/>')
            parts.append(f'<text x="{lx + 36}" y="{ly + 5}">{html.escape(s.label)}</text>')
    for value, text in chart.y_ticks:
        y = y_of(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{html.escape(text)}</text>')
    for value, text in chart.x_ticks:
        parts.append(f'<text class="tick" x="{x_of(value):.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">'
                     f"{html.escape(text)}</text>")
    parts.append(f'<text class="axis" x="{(LEFT + WIDTH - RIGHT) / 2}" y="{height - 8}" text-anchor="middle">'
                 f"{html.escape(chart.x_label)}</text>")
    for x, text in chart.markers:
        parts.append(f'<line class="marker" x1="{x_of(x):.1f}" x2="{x_of(x):.1f}" y1="{top}" y2="{height - BOTTOM}"/>')
        parts.append(f'<text class="tick" x="{x_of(x) + 4:.1f}" y="{top + 12}">{html.escape(text)}</text>')
    for s in chart.series:
        points = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in s.points)
        parts.append(f'<polyline class="series {s.key}{" dashed" if s.dashed else ""}" points="{points}"/>')
        if s.dots:
            parts += [f'<circle class="series dot {s.key}" cx="{x_of(x):.1f}" cy="{y_of(y):.1f}" r="3.5"/>'
                      for x, y in s.points]
    parts.append("</svg>")
    return "\n".join(parts)


def check_caption(view: Chart | Table, caption: str) -> None:
    for unit, pattern in SAID.items():
        said = {int(n.replace(",", "")) for n in pattern.findall(caption)}
        allowed = view.counts.get(unit, set())
        wrong = sorted(said - allowed)
        if wrong:
            has = ", ".join(f"{n} {unit}" for n in sorted(allowed)) or f"no count in {unit}"
            raise PluginError(f"the caption says {', '.join(f'{n} {unit}' for n in wrong)}, but the data has {has}: "
                              "update the caption")


def table_html(table: Table) -> str:
    head = "".join(f"<th>{cell}</th>" for cell in table.header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def table_markdown(table: Table) -> str:
    lines = ["| " + " | ".join(table.header) + " |", "|" + " --- |" * len(table.header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in table.rows])


def render(attrs: str, caption: str, where: str, base: Path = GENERATED):
    """The view a figure asks for, its caption checked: a Chart or a Table."""
    options = dict(ATTRIBUTE.findall(attrs))
    name = options.pop("view", None)
    if name not in VIEWS:
        raise PluginError(f"{where}: a figure asks for the view {name!r}; the views are {sorted(VIEWS)}")
    source = options.pop("source", None)
    try:
        view = VIEWS[name](base / source, **options) if source else VIEWS[name](**options)
        check_caption(view, caption)
    except PluginError as e:
        raise PluginError(f"{where}: figure {name!r}{f' of {source}' if source else ''}: {e}") from None
    except TypeError as e:  # an attribute the view does not take
        raise PluginError(f"{where}: figure {name!r}: {e}") from None
    except (ValueError, KeyError, IndexError) as e:  # data the checks above let through
        raise PluginError(f"{where}: figure {name!r} of {source}: {type(e).__name__}: {e}; {HOW_TO_MAKE.get(source, REGENERATE)}") from None
    return view


def figure_html(match: re.Match, page_name: str, number: int) -> str:
    caption = match["caption"].strip()
    view = render(match["attrs"], caption, page_name)
    label = f"figure-{number}"
    if isinstance(view, Chart):
        legend = "".join(f'<span class="legend {s.key}{" dashed" if s.dashed else ""}">{html.escape(s.label)}</span>'
                         for s in view.series)
        body, extra = svg(view, label), f'<span class="legends">{legend}</span>'
    else:
        body, extra = table_html(view), ""  # Material's script wraps it to scroll on a phone
    return (f'<figure class="data-view"{match["attrs"]}>\n{body}\n'
            f'<figcaption id="{label}">{caption}{html.escape(view.summary)}{extra}</figcaption>\n</figure>')


def on_page_content(output: str, page, config, files) -> str:
    number = itertools.count(1)
    return FIGURE.sub(lambda m: figure_html(m, page.file.src_uri, next(number)), output)
