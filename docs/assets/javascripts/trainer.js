// 第 4 章的交互演示：在浏览器里从 PyTorch 导出的初始参数开始训练，和 PyTorch 一步一步对得上。
// Plain JavaScript; the cell, its backward pass and Adam are lstm-cell.js, shared with the explorer.
// Each `.lstm-trainer` element reads the initial parameters of every seed from its `data-weights` URL
// (docs/generated/trainer.json, exported from PyTorch by the suite's run) and, to compare with, the seed
// study's results from its `data-study` URL (docs/generated/seeds.json). Numbers shown carry their
// full-precision value in `data-value`. Training runs in slices of at most SLICE_MS per animation frame,
// so the page stays responsive. window.LSTMTrainer.train() is the same loop without the page, for tests.
(function () {
  "use strict";

  var Cell = window.LSTMCell;
  var INPUTS = [[0, 0.5, 0.25, 1], [1, 0.5, 0.25, 1]];
  var LABELS = [0, 1];
  var LIMITS = { lr: [1e-5, 1], epochs: [1, 50000] };
  // When the two companies' pulls cancel: the seeds chapter's criterion for its stuck runs (docs/seeds.md
  // 4.4, which tests/test_seeds.py asserts on the study): cosine below -0.99, the sum under a seventh of each.
  var CANCEL = { cos: -0.99, share: 1 / 7 };
  var SPEEDS = [{ label: "每秒 50 轮", perSecond: 50 }, { label: "每秒 500 轮", perSecond: 500 },
                { label: "最快", perSecond: Infinity }];
  var SLICE_MS = 8;
  // Points kept per curve, older ones thinned out as training goes on: 200 across the chart's 620 pixels
  // are a smooth curve, and drawing 600 kept a redraw over 50 ms at a 4x CPU slowdown.
  var HISTORY_POINTS = 200;
  var GATE_NAMES = { f: "遗忘门", i: "输入门", g: "候选记忆", o: "输出门" };
  var counter = 0;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  // ---- training: snippets/plain_loop.py on the two companies, in the DataLoader's order ------------
  function Run(layout, initial, lr) {
    this.layout = layout;
    this.params = Float64Array.from(initial);
    this.optimizer = new Cell.Adam(initial.length, lr);
    this.epoch = 0;
  }
  Run.prototype.trainEpoch = function () {
    for (var k = 0; k < INPUTS.length; k++) {
      var result = Cell.lossAndGradient(this.layout, this.params, INPUTS[k], LABELS[k]);
      this.optimizer.step(this.params, result.grad);
    }
    this.epoch += 1;
  };
  // Where the run is: both predictions, both losses, and each company's own gradient (what the
  // optimizer follows one step at a time) with their sum: seeds.py's predict() and pulls().
  Run.prototype.state = function () {
    var self = this;
    var results = INPUTS.map(function (xs, k) { return Cell.lossAndGradient(self.layout, self.params, xs, LABELS[k]); });
    var a = results[0].grad, b = results[1].grad, dot = 0, na = 0, nb = 0, ns = 0;
    for (var j = 0; j < a.length; j++) {
      dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; ns += (a[j] + b[j]) * (a[j] + b[j]);
    }
    return { epoch: this.epoch, A: results[0].out, B: results[1].out, lossA: results[0].loss, lossB: results[1].loss,
             gradA: Math.sqrt(na), gradB: Math.sqrt(nb), gradSum: Math.sqrt(ns),
             cos: na && nb ? dot / Math.sqrt(na * nb) : 0, params: Array.prototype.slice.call(this.params) };
  };

  function learned(a, b) {  // seeds.py's learned(): both companies within 0.1 of their labels
    return Math.abs(a - LABELS[0]) < 0.1 && Math.abs(b - LABELS[1]) < 0.1;
  }

  // The same loop without a page: {A, B, learned, params} after `epochs` epochs.
  function train(layoutName, initial, lr, epochs) {
    var run = new Run(Cell.LAYOUTS[layoutName], initial, lr);
    while (run.epoch < epochs) run.trainEpoch();
    var s = run.state();
    return { A: s.A, B: s.B, learned: learned(s.A, s.B), params: s.params };
  }
  window.LSTMTrainer = { train: train };

  // ---- data ------------------------------------------------------------------------------------
  function fail(message) { throw new Error(message); }

  function within(value, limits, integer) {
    return typeof value === "number" && value >= limits[0] && value <= limits[1] && (!integer || Math.floor(value) === value);
  }

  // trainer.json: {"models": {key: {name, layout, lr, epochs, longer, initial: {seed: [parameters]}}}}
  function validateModels(data) {
    if (!data || typeof data !== "object" || !data.models || typeof data.models !== "object") fail("初始参数文件里没有 models");
    var keys = Object.keys(data.models);
    if (!keys.length) fail("初始参数文件里一个模型也没有");
    keys.forEach(function (key) {
      var m = data.models[key], where = "模型 " + key;
      if (!m || !Cell.LAYOUTS[m.layout]) fail(where + " 的 layout 不是 hand 或 nn");
      if (typeof m.name !== "string" || !m.name) fail(where + " 没有名字");
      if (!within(m.lr, LIMITS.lr)) fail(where + " 的 lr 不是 " + LIMITS.lr[0] + " 到 " + LIMITS.lr[1] + " 之间的数");
      ["epochs", "longer"].forEach(function (field) {
        if (!within(m[field], LIMITS.epochs, true)) fail(where + " 的 " + field + " 不是 1 到 " + LIMITS.epochs[1] + " 之间的整数");
      });
      if (!m.initial || typeof m.initial !== "object" || !Object.keys(m.initial).length) fail(where + " 没有任何种子的初始参数");
      var size = Cell.LAYOUTS[m.layout].names.length;
      Object.keys(m.initial).forEach(function (seed) {
        var p = m.initial[seed];
        if (!Array.isArray(p) || p.length !== size || !p.every(function (v) { return typeof v === "number" && isFinite(v); })) {
          fail(where + " 种子 " + seed + " 的初始参数不是 " + size + " 个有限的数");
        }
      });
    });
    return data.models;
  }

  // The study's row for a model and seed, if the study ran it: {A, B, learned, epochs}.
  function studyRow(study, model, seed) {
    var s = study && study[model.name];
    var row = s && Array.isArray(s.runs) && s.runs.filter(function (r) { return String(r.seed) === String(seed); })[0];
    return row && typeof row.A === "number" && typeof row.B === "number" ? { A: row.A, B: row.B, learned: !!row.learned, epochs: s.epochs } : null;
  }

  // ---- formatting ------------------------------------------------------------------------------
  function escapeHTML(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; });
  }
  function seedList(seeds) {  // "0–19、42"
    var n = seeds.map(Number).sort(function (a, b) { return a - b; }), parts = [], i = 0;
    while (i < n.length) {
      var j = i;
      while (j + 1 < n.length && n[j + 1] === n[j] + 1) j++;
      parts.push(j > i ? n[i] + "–" + n[j] : String(n[i]));
      i = j + 1;
    }
    return parts.join("、");
  }

  // ---- charts: inline SVG, coloured by extra.css like the book's other charts ---------------------
  var WIDTH = 680, HEIGHT = 220, LEFT = 48, RIGHT = 12, TOP = 12, BOTTOM = 36;
  function scale(xMax, yLo, yHi) {
    return {
      x: function (v) { return LEFT + (WIDTH - LEFT - RIGHT) * v / Math.max(xMax, 1); },
      y: function (v) { return TOP + (HEIGHT - TOP - BOTTOM) * (yHi - Math.min(yHi, Math.max(yLo, v))) / (yHi - yLo); }
    };
  }
  function pointsAttribute(points, at) {
    return points.map(function (p) { return at.x(p[0]).toFixed(1) + "," + at.y(p[1]).toFixed(1); }).join(" ");
  }
  function chart(id, title, xMax, yLo, yHi, series, yTicks, legend) {
    var at = scale(xMax, yLo, yHi);
    var out = "<svg class=\"chart\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\" role=\"img\" aria-labelledby=\"" + id + "\">";
    yTicks.forEach(function (v) {
      out += "<line class=\"grid\" x1=\"" + LEFT + "\" x2=\"" + (WIDTH - RIGHT) + "\" y1=\"" + at.y(v).toFixed(1) + "\" y2=\"" + at.y(v).toFixed(1) + "\"/>" +
        "<text class=\"tick\" x=\"" + (LEFT - 6) + "\" y=\"" + (at.y(v) + 4).toFixed(1) + "\" text-anchor=\"end\">" + v + "</text>";
    });
    out += "<text class=\"tick\" x=\"" + LEFT + "\" y=\"" + (HEIGHT - BOTTOM + 16) + "\" text-anchor=\"middle\">0</text>" +
      "<text class=\"tick\" x=\"" + (WIDTH - RIGHT) + "\" y=\"" + (HEIGHT - BOTTOM + 16) + "\" text-anchor=\"end\">" + xMax + "</text>" +
      "<text class=\"axis\" x=\"" + ((LEFT + WIDTH - RIGHT) / 2) + "\" y=\"" + (HEIGHT - 6) + "\" text-anchor=\"middle\">训练轮数（epoch）</text>";
    series.forEach(function (line) {
      out += "<polyline class=\"series " + line.key + (line.dashed ? " dashed" : "") + "\" points=\"" + pointsAttribute(line.points, at) + "\"/>";
    });
    return out + "</svg><p class=\"lstm-widget__table-title\" id=\"" + id + "\">" + title + "</p>" +
      "<p class=\"legends\">" + legend.map(function (item) {
        return "<span class=\"legend " + item.key + (item.dashed ? " dashed" : "") + "\">" + item.label + "</span>";
      }).join("") + "</p>";
  }

  // A place for a number, with the markup of lstm-cell.js's num(); setNum() fills it.
  function slot(quantity) {
    return "<span class=\"lstm-widget__num\" data-quantity=\"" + quantity + "\"></span>";
  }

  // A number changed in place: its text and its full-precision data-value.
  function setNum(el, v, digits) {
    var finite = typeof v === "number" && isFinite(v);
    if (finite) el.setAttribute("data-value", String(v));
    else el.removeAttribute("data-value");
    el.textContent = finite ? Cell.fmt(v, digits) : "—";
  }

  // ---- the widget ------------------------------------------------------------------------------
  function mount(root) {
    root.setAttribute("data-trainer", "loading");
    var id = "lstm-trainer-" + (++counter);
    root.innerHTML = "<p class=\"lstm-widget__loading\" role=\"status\">正在读取 PyTorch 导出的初始参数……</p>";
    var failed = function (what) {
      return function (err) {
        root.setAttribute("data-trainer", "error");
        root.innerHTML = "<div class=\"lstm-widget__error\" role=\"alert\"><strong>演示无法运行：" + what + "。</strong><p></p></div>";
        root.querySelector(".lstm-widget__error p").textContent = "原因：" + (err && err.message ? err.message : String(err)) +
          "。初始参数由本站的测试（pytest --regenerate）写到 generated/trainer.json，请检查它是否存在、格式是否正确。";
      };
    };
    var weightsUrl, studyUrl;
    try {
      weightsUrl = new URL(root.getAttribute("data-weights") || fail("没有给出初始参数文件的地址（data-weights）"), window.location.href).href;
      studyUrl = root.getAttribute("data-study") ? new URL(root.getAttribute("data-study"), window.location.href).href : null;
    } catch (e) {
      failed("读取初始参数失败")(e);
      return;
    }
    Promise.all([
      Cell.fetchJSON(weightsUrl, "初始参数文件").then(validateModels),
      studyUrl ? Cell.fetchJSON(studyUrl, "实验结果文件").catch(function () { return null; }) : null
    ]).then(function (loaded) {
      try {
        build(root, id, loaded[0], loaded[1]);
        root.setAttribute("data-trainer", "ready");
      } catch (e) {
        failed("页面上的演示出错了")(e);
      }
    }, failed("读取初始参数失败"));
  }

  function build(root, id, models, study) {
    var keys = Object.keys(models);
    var state = { model: keys[0], seed: null, lr: null, target: null, run: null, playing: false, history: [], stride: 1,
                  invalid: {}, lastDraw: 0, frame: null, diverged: false };

    var radios = keys.map(function (key, k) {
      var m = models[key];
      return "<span class=\"lstm-widget__radio\"><input type=\"radio\" name=\"" + id + "-model\" id=\"" + id + "-model-" + k +
        "\" value=\"" + escapeHTML(key) + "\"" + (k === 0 ? " checked" : "") + "><label for=\"" + id + "-model-" + k + "\">" +
        escapeHTML(m.name) + "（Adam，学习率 " + m.lr + "）</label></span>";
    }).join("");
    var field = function (name, label, hint, mode) {
      return "<div class=\"lstm-widget__field\"><label for=\"" + id + "-" + name + "\">" + label + "</label>" +
        "<input type=\"text\" class=\"lstm-widget__text\" id=\"" + id + "-" + name + "\" data-field=\"" + name +
        "\" autocomplete=\"off\" spellcheck=\"false\" inputmode=\"" + mode + "\" aria-describedby=\"" + id + "-" + name + "-hint\">" +
        "<span class=\"lstm-widget__hint\" id=\"" + id + "-" + name + "-hint\">" + hint + "</span></div>";
    };
    root.innerHTML =
      "<div class=\"lstm-widget__widget\" role=\"group\" aria-labelledby=\"" + id + "-title\">" +
      "<p class=\"lstm-widget__title\" id=\"" + id + "-title\"><strong>在浏览器里训练</strong></p>" +
      "<div class=\"lstm-widget__choices\">" +
      "<fieldset class=\"lstm-widget__choice\"><legend>模型</legend>" + radios + "</fieldset>" +
      "<fieldset class=\"lstm-widget__choice\"><legend>设置</legend><div class=\"lstm-widget__fields\">" +
      field("seed", "种子", "<span data-role=\"seeds\"></span>", "numeric") +
      field("lr", "学习率", LIMITS.lr[0] + " 到 " + LIMITS.lr[1], "decimal") +
      field("epochs", "训练到第几轮", LIMITS.epochs[0] + " 到 " + LIMITS.epochs[1], "numeric") +
      "</div></fieldset></div>" +
      "<p class=\"lstm-widget__message\" id=\"" + id + "-message\" aria-live=\"polite\"></p>" +
      "<div class=\"lstm-widget__stepper\">" +
      "<button type=\"button\" data-action=\"play\"></button>" +
      "<button type=\"button\" data-action=\"step\">单步（一轮）</button>" +
      "<button type=\"button\" data-action=\"reset\">重置</button>" +
      "<button type=\"button\" data-action=\"longer\"></button>" +
      "<label class=\"lstm-widget__speed\">速度 <select data-role=\"speed\">" +
      SPEEDS.map(function (s, k) { return "<option value=\"" + k + "\"" + (k === 1 ? " selected" : "") + ">" + s.label + "</option>"; }).join("") +
      "</select></label>" +
      "<p class=\"lstm-widget__status\" data-role=\"status\"></p>" +
      "<p class=\"lstm-widget__sr\" data-role=\"announce\" aria-live=\"polite\"></p>" +
      "</div>" +
      "<div class=\"lstm-widget__scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" + id + "-now-caption\" data-role=\"now\"></div>" +
      "<div class=\"data-view lstm-widget__charts\" data-role=\"charts\"></div>" +
      "<p class=\"lstm-widget__verdict\" data-role=\"verdict\"></p>" +
      "<div class=\"lstm-widget__stepper\"><button type=\"button\" data-action=\"explore\" hidden>在上面的逐日演示里查看这组参数</button></div>" +
      "<details class=\"lstm-widget__weights\"><summary>此刻的参数</summary><div class=\"lstm-widget__scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" +
      id + "-params-caption\" data-role=\"params\"></div></details>" +
      "</div>";

    var q = function (sel) { return root.querySelector(sel); };
    var inputs = { seed: q("[data-field=seed]"), lr: q("[data-field=lr]"), epochs: q("[data-field=epochs]") };
    var message = q("#" + id + "-message");
    var buttons = { play: q("[data-action=play]"), step: q("[data-action=step]"), reset: q("[data-action=reset]"),
                    longer: q("[data-action=longer]"), explore: q("[data-action=explore]") };

    function model() { return models[state.model]; }

    function blocked() {
      return !state.run || state.diverged || Object.keys(state.invalid).length > 0;
    }

    // The buttons' states, in one place: playing or not, and whether training can go on at all.
    // It runs on every frame: each change is made only when the value differs, since any change to the
    // document makes the browser style and lay it out again.
    function updateButtons() {
      var label = state.playing ? "<span aria-hidden=\"true\">⏸</span> 暂停" : "<span aria-hidden=\"true\">▶</span> 开始";
      if (buttons.play.getAttribute("data-playing") !== String(state.playing)) {
        buttons.play.innerHTML = label;
        buttons.play.setAttribute("data-playing", String(state.playing));
      }
      [[buttons.play, !state.playing && (blocked() || state.run.epoch >= state.target)],
       [buttons.step, blocked()], [buttons.longer, blocked()]].forEach(function (button) {
        if (button[0].getAttribute("aria-disabled") !== String(button[1])) button[0].setAttribute("aria-disabled", String(button[1]));
      });
      var hidden = state.playing || !state.run || state.run.epoch === 0 || !document.querySelector(".lstm-explorer[data-explorer=ready]");
      if (buttons.explore.hidden !== hidden) buttons.explore.hidden = hidden;
    }

    function showMessage(extra) {
      var texts = Object.keys(state.invalid).map(function (k) { return state.invalid[k]; });
      if (extra) texts.push(extra);
      message.textContent = texts.length ? "⚠ " + texts.join("") : "";
      message.classList.toggle("is-error", texts.length > 0);
    }

    // Reads one field; on a bad value keeps the last good one and says why.
    function readField(name) {
      var text = Cell.typed(inputs[name].value);
      var problem = null, value = Number(text);
      if (text === "") {
        problem = "不能为空";
      } else if (name === "seed") {
        if (!/^\d+$/.test(text)) problem = "“" + text + "”不是一个种子（非负整数）";
        else if (!(String(value) in model().initial)) problem = "种子 " + value + " 没有导出的初始参数，可选 " + seedList(Object.keys(model().initial));
      } else if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !isFinite(value)) {
        problem = "“" + text + "”不是数字";
      } else if (name === "epochs" && Math.floor(value) !== value) {
        problem = text + " 不是整数";
      } else if (!within(value, LIMITS[name])) {
        problem = text + " 超出了范围，只能在 " + LIMITS[name][0] + " 到 " + LIMITS[name][1] + " 之间";
      }
      var label = { seed: "种子", lr: "学习率", epochs: "训练轮数" }[name];
      if (problem) {
        state.invalid[name] = label + "：" + problem + "。";
        inputs[name].setAttribute("aria-invalid", "true");
        return null;
      }
      delete state.invalid[name];
      inputs[name].removeAttribute("aria-invalid");
      return name === "seed" ? String(value) : value;
    }

    function applyFields() {
      var seed = readField("seed"), lr = readField("lr"), epochs = readField("epochs");
      var changed = (seed !== null && seed !== state.seed) || (lr !== null && lr !== state.lr);
      if (seed !== null) state.seed = seed;
      if (lr !== null) state.lr = lr;
      if (epochs !== null) state.target = epochs;
      if (changed || !state.run) reset();
      showMessage();
      render();
    }

    function setModel(key) {
      stop();
      state.model = key;
      var m = model();
      inputs.seed.value = state.seed in m.initial ? state.seed : Object.keys(m.initial).indexOf("42") >= 0 ? "42" : Object.keys(m.initial)[0];
      inputs.lr.value = String(m.lr);
      inputs.epochs.value = String(m.epochs);
      q("[data-role=seeds]").textContent = "可选 " + seedList(Object.keys(m.initial));
      buttons.longer.textContent = "训练更久（到第 " + m.longer + " 轮）";
      state.seed = null;
      applyFields();
    }

    function reset() {
      stop();
      state.diverged = false;
      var m = model();
      if (state.seed === null || state.lr === null || !(state.seed in m.initial)) {
        state.run = null;
        return;
      }
      state.run = new Run(Cell.LAYOUTS[m.layout], m.initial[state.seed], state.lr);
      state.history = [];
      state.stride = 1;
      record();
    }

    function record() {
      if (state.run.epoch % state.stride !== 0) return;
      state.history.push(state.run.state());
      if (state.history.length > HISTORY_POINTS) {  // keep every other point, and record half as often
        state.history = state.history.filter(function (_, k) { return k % 2 === 0; });
        state.stride *= 2;
      }
    }

    // One epoch; false, and training stopped with a message, if the parameters stopped being finite
    // numbers (Adam's steps are at most about the learning rate, so within LIMITS this is a safeguard).
    function trainEpoch() {
      state.run.trainEpoch();
      if (!Array.prototype.every.call(state.run.params, isFinite)) {
        stop();
        state.diverged = true;
        showMessage("训练发散了：参数不再是有限的数。把学习率调小，再按“重置”。");
        return false;
      }
      record();
      return true;
    }

    // What a screen reader hears: the run's milestones, not every frame.
    function announce(text) {
      q("[data-role=announce]").textContent = text;
    }

    function stop() {
      if (state.playing && state.run) announce("已暂停，第 " + state.run.epoch + " 轮。");
      state.playing = false;
      if (state.frame !== null) cancelAnimationFrame(state.frame);
      state.frame = null;
    }

    function play() {
      if (state.playing || blocked() || state.run.epoch >= state.target) return;
      state.playing = true;
      var last = performance.now(), owed = 0;
      var tick = function (now) {
        if (!state.playing) return;
        if (!root.isConnected) {  // instant navigation took the page away
          stop();
          return;
        }
        var speed = SPEEDS[Number(q("[data-role=speed]").value)].perSecond;
        owed = Math.min(owed + speed * (now - last) / 1000, Math.max(1, speed * 0.1));  // no burst after a hidden tab
        last = now;
        // A redraw takes two frames, the numbers then the charts, and a frame that draws does not train:
        // together they made tasks over 50 ms at a 4x CPU slowdown.
        if (state.chartsDue) {
          state.chartsDue = false;
          render("charts");
          state.frame = requestAnimationFrame(tick);
          return;
        }
        var start = performance.now(), drawing = start - state.lastDraw >= drawInterval();
        while (!drawing && state.run.epoch < state.target && (owed >= 1 || speed === Infinity) && performance.now() - start < SLICE_MS) {
          if (!trainEpoch()) return render();
          owed -= 1;
        }
        if (state.run.epoch < state.target) {
          if (drawing) {
            render("numbers");
            state.chartsDue = true;
          }
          state.frame = requestAnimationFrame(tick);
          return;
        }
        state.playing = false;  // stop() would announce a pause
        stop();
        announce("训练到了第 " + state.run.epoch + " 轮。");
        requestAnimationFrame(function () {
          render("numbers");
          requestAnimationFrame(function () { render("charts"); });
        });
      };
      state.frame = requestAnimationFrame(tick);
      updateButtons();
    }

    var gateOf = {};  // layout -> each parameter's gate, for the parameters' colours
    Object.keys(Cell.LAYOUTS).forEach(function (name) {
      var gates = Cell.LAYOUTS[name].gates;
      gateOf[name] = Cell.LAYOUTS[name].names.map(function (_, j) {
        return Object.keys(gates).filter(function (g) { return gates[g].wh === j || gates[g].wx === j || gates[g].b.indexOf(j) >= 0; })[0];
      });
    });

    // Each redraw used to rebuild both charts and all three tables: at a 4x CPU slowdown that made tasks
    // of 60-90 ms (parsing the new markup, then styling and laying it out). Now each part is built when
    // its shape changes (`drawn` holds what it was built for) and otherwise only its numbers and its
    // curves' points change.
    var drawn = {};
    function drawInterval() {
      return reducedMotion && reducedMotion.matches ? 1000 : 100;
    }
    // `part`: "numbers" (status, tables, verdict) or "charts"; both when not given.
    function render(part) {
      updateButtons();
      if (part !== "charts") state.lastDraw = performance.now();
      var statusEl = q("[data-role=status]");
      if (!state.run) {
        ["now", "charts", "params", "verdict"].forEach(function (role) { q("[data-role=" + role + "]").innerHTML = ""; });
        statusEl.textContent = "";
        drawn = {};
        return;
      }
      var s = state.run.state(), m = model(), names = Cell.LAYOUTS[m.layout].names;
      if (part !== "charts") {
        statusEl.setAttribute("data-epoch", String(s.epoch));
        statusEl.textContent = "第 " + s.epoch + " 轮，目标第 " + state.target + " 轮" + (state.playing ? "，训练中……" : "");
        if (!drawn.now) {
          q("[data-role=now]").innerHTML =
            "<p class=\"lstm-widget__table-title\" id=\"" + id + "-now-caption\"></p>" +
            "<table class=\"lstm-widget__table\" aria-labelledby=\"" + id + "-now-caption\"><thead><tr><th scope=\"col\">公司</th>" +
            "<th scope=\"col\">预测</th><th scope=\"col\">损失</th><th scope=\"col\">各自的梯度长度</th></tr></thead><tbody>" +
            "<tr><th scope=\"row\">公司 A（标签 0）</th><td>" + slot("A") + "</td><td>" + slot("lossA") + "</td><td>" + slot("gradA") + "</td></tr>" +
            "<tr><th scope=\"row\">公司 B（标签 1）</th><td>" + slot("B") + "</td><td>" + slot("lossB") + "</td><td>" + slot("gradB") + "</td></tr>" +
            "<tr><th scope=\"row\">两家加起来</th><td></td><td>" + slot("loss") + "</td><td>" + slot("gradSum") +
            "（夹角余弦 " + slot("cos") + "）</td></tr></tbody></table><p class=\"lstm-widget__pulls\"></p>";
          drawn.now = true;
        }
        q("[data-role=now] .lstm-widget__table-title").textContent = "第 " + s.epoch + " 轮之后";
        [["A", s.A, 4], ["lossA", s.lossA, 4], ["gradA", s.gradA, 4], ["B", s.B, 4], ["lossB", s.lossB, 4], ["gradB", s.gradB, 4],
         ["loss", s.lossA + s.lossB, 4], ["gradSum", s.gradSum, 4], ["cos", s.cos, 3]].forEach(function (shown) {
          setNum(q("[data-quantity=" + shown[0] + "]"), shown[1], shown[2]);
        });
        q("[data-role=now] .lstm-widget__pulls").textContent = s.cos < CANCEL.cos && s.gradSum < CANCEL.share * Math.min(s.gradA, s.gradB)
          ? "两家公司的梯度方向几乎相反，加起来所剩无几：它们在互相抵消。"
          : "两家公司的梯度没有互相抵消。";

        if (drawn.params !== m.layout) {
          q("[data-role=params]").innerHTML =
            "<table class=\"lstm-widget__table\"><caption id=\"" + id + "-params-caption\"></caption><tbody>" +
            names.map(function (name) {
              return "<tr><th scope=\"row\"><code>" + name + "</code></th><td><span class=\"lstm-widget__num\" data-param=\"" +
                name + "\"></span></td></tr>";
            }).join("") + "</tbody></table>";
          drawn.params = m.layout;
        }
        q("[data-role=params] caption").textContent = "第 " + s.epoch + " 轮之后的 " + names.length + " 个参数";
        root.querySelectorAll("[data-role=params] [data-param]").forEach(function (el, j) { setNum(el, s.params[j], 6); });

        var row = studyRow(study, m, state.seed);
        var verdict = learned(s.A, s.B) ? "两家公司的预测离各自的标签都不到 0.1：学会了。" : "还没学会：至少有一家公司的预测离标签差 0.1 以上。";
        if (row && s.epoch === row.epochs && state.lr === m.lr) {
          verdict += "上面的实验用 PyTorch 训练同一个种子 " + row.epochs + " 轮：公司 A " + Cell.fmt(row.A, 4) + "，公司 B " + Cell.fmt(row.B, 4) + "，" +
            (row.learned ? "学会了" : "没学会") + (row.learned === learned(s.A, s.B) ? "，结论相同。" : "，结论不同。");
        }
        q("[data-role=verdict]").textContent = verdict;
      }
      if (part !== "numbers") {
        var history = state.history, xMax = Math.max(state.target, s.epoch);
        if (history[history.length - 1].epoch !== s.epoch) history = history.concat([s]);  // the curves reach where the run is
        var points = function (f) { return history.map(function (p) { return [p.epoch, f(p)]; }); };
        var gates = gateOf[m.layout];
        var pMax = Math.ceil(Math.max.apply(null, [1].concat(history.map(function (p) { return Math.max.apply(null, p.params.map(Math.abs)); }))));
        var curves = [
          { key: "company-a", points: points(function (p) { return p.A; }) },
          { key: "company-a", dashed: true, points: points(function (p) { return p.lossA; }) },
          { key: "company-b", points: points(function (p) { return p.B; }) },
          { key: "company-b", dashed: true, points: points(function (p) { return p.lossB; }) }
        ];
        var paths = names.map(function (_, j) { return { key: "gate-" + gates[j], points: points(function (p) { return p.params[j]; }) }; });
        var charts = q("[data-role=charts]"), shape = [m.layout, xMax, pMax].join(" ");
        if (drawn.charts !== shape) {
          charts.innerHTML =
            chart(id + "-curves", "两家公司的预测和损失", xMax, -0.1, 1.1, curves, [0, 0.5, 1],
                  [{ key: "company-a", label: "公司 A 的预测" }, { key: "company-a", dashed: true, label: "公司 A 的损失" },
                   { key: "company-b", label: "公司 B 的预测" }, { key: "company-b", dashed: true, label: "公司 B 的损失" }]) +
            chart(id + "-params", "参数怎么动", xMax, -pMax, pMax, paths, [-pMax, 0, pMax],
                  Object.keys(GATE_NAMES).map(function (g) { return { key: "gate-" + g, label: GATE_NAMES[g] + "的参数" }; }));
          drawn.charts = shape;
        } else {
          var lines = charts.querySelectorAll("polyline"), curveScale = scale(xMax, -0.1, 1.1), paramScale = scale(xMax, -pMax, pMax);
          curves.concat(paths).forEach(function (line, k) {
            lines[k].setAttribute("points", pointsAttribute(line.points, k < curves.length ? curveScale : paramScale));
          });
        }
      }
    }

    // ---- events ----
    root.querySelectorAll("input[name='" + id + "-model']").forEach(function (r) {
      r.addEventListener("change", function () { if (r.checked) setModel(r.value); });
    });
    Object.keys(inputs).forEach(function (name) {
      inputs[name].addEventListener("change", applyFields);
      inputs[name].addEventListener("keydown", function (ev) { if (ev.key === "Enter") applyFields(); });
    });
    buttons.play.addEventListener("click", function () {
      if (state.playing) {
        stop();
        render();
      } else {
        play();
      }
    });
    buttons.step.addEventListener("click", function () {
      if (blocked()) return;
      stop();
      trainEpoch();
      render();
    });
    buttons.reset.addEventListener("click", function () {
      reset();
      showMessage();
      render();
    });
    buttons.longer.addEventListener("click", function () {
      if (blocked()) return;
      inputs.epochs.value = String(model().longer);
      applyFields();
      play();
    });
    buttons.explore.addEventListener("click", function () {
      var m = model(), w = Cell.gateWeights(Cell.LAYOUTS[m.layout], state.run.params), weights = {};
      // the explorer's 12 parameters: nn.LSTM's two biases of a gate add up to the hand-made one
      var hand = Cell.LAYOUTS.hand;
      Object.keys(hand.gates).forEach(function (k) {
        weights[hand.names[hand.gates[k].wh]] = w[k].wh;
        weights[hand.names[hand.gates[k].wx]] = w[k].wx;
        weights[hand.names[hand.gates[k].b[0]]] = w[k].b;
      });
      var which = "（" + m.name + "，种子 " + state.seed + "，" + state.run.epoch + " 轮）";
      document.dispatchEvent(new CustomEvent("lstm-trainer:weights", { detail: {
        label: "你训练的" + which, caption: "你训练的参数" + which, weights: weights } }));
    });

    setModel(state.model);
  }

  Cell.mountWhenNear(".lstm-trainer", "data-trainer", mount);
})();
