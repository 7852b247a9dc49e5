// 2.7 节的交互演示：用真实训练得到的 12 个参数，一天一天地重放 LSTMbyHand.lstm_unit。
// Plain JavaScript; the cell's math and the number helpers are lstm-cell.js's, shared with the trainer
// (trainer.js). Each `.lstm-explorer` element reads its weights from the JSON at its `data-weights` URL
// (relative to the page). Every number shown carries its full-precision value in a `data-value`
// attribute (tests read those). Each element is mounted once, when it comes near the viewport.
(function () {
  "use strict";

  var Cell = window.LSTMCell, num = Cell.num;
  var KEYS = Cell.LAYOUTS.hand.names;  // the 12 parameters, as LSTMbyHand names them
  var COMPANIES = {
    A: { name: "公司 A", inputs: [0, 0.5, 0.25, 1], label: 0 },
    B: { name: "公司 B", inputs: [1, 0.5, 0.25, 1], label: 1 }
  };
  // Inputs accepted from the reader: the post's data lie in [0, 1]; a little on both sides lets the
  // reader see what the cell does outside the training data without leaving sigmoid/tanh's useful range.
  var MIN = -1, MAX = 2, STEP = 0.01;
  var DAYS = 4;
  var counter = 0;

  // ---- the model: LSTMbyHand.lstm_unit, from lstm-cell.js -------------------------------------
  function unroll(w, xs) {
    return Cell.unroll(Cell.gateWeights(Cell.LAYOUTS.hand, KEYS.map(function (k) { return w[k]; })), xs);
  }

  // ---- weights --------------------------------------------------------------------------------
  // weights.json: {"checkpoints": [{"epochs": 2000, "weights": {...12 parameters}}, ...]}, one entry per
  // trainer.fit() of the chapter, in order. The labels say how many epochs each had trained.
  function validateWeights(data) {
    if (!data || typeof data !== "object" || !Array.isArray(data.checkpoints) || !data.checkpoints.length) {
      throw new Error("权重文件里没有 checkpoints 列表");
    }
    return data.checkpoints.map(function (entry, k) {
      var where = "第 " + (k + 1) + " 组权重";
      if (!entry || typeof entry !== "object") throw new Error(where + "不是一个对象");
      if (typeof entry.epochs !== "number" || !(entry.epochs > 0) || Math.floor(entry.epochs) !== entry.epochs) {
        throw new Error(where + "的训练轮数 epochs 不是正整数");
      }
      var w = entry.weights;
      if (!w || typeof w !== "object" || Array.isArray(w)) throw new Error(where + "缺少 weights");
      KEYS.forEach(function (key) {
        if (!(key in w)) throw new Error(where + "里缺少参数 " + key);
        if (typeof w[key] !== "number" || !isFinite(w[key])) throw new Error(where + "的 " + key + " 不是一个有限的数字");
      });
      var label = (k === 0 ? "训练 " : "恢复训练到 ") + entry.epochs + " 轮";
      return { key: String(k), epochs: entry.epochs, weights: w, label: label, caption: label + "后的参数" };
    });
  }

  function loadWeights(url) {
    return Cell.fetchJSON(url, "权重文件").then(validateWeights);
  }

  // Parse what the reader typed: a plain decimal number (full-width digits, "．" and "−" accepted).
  function parseInput(text) {
    var s = Cell.typed(text);
    if (s === "") return { error: "empty" };
    if (/^[+-]?\.?$/.test(s)) return { error: "partial" };
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return { error: "nan" };
    var v = Number(s);
    if (!isFinite(v)) return { error: "nan" };
    if (v < MIN || v > MAX) return { error: "range" };
    return { value: v };
  }

  var SUB = function (t) { return "<sub>" + t + "</sub>"; };
  var VAR = function (name, t) { return "<var>" + name + "</var>" + (t === undefined ? "" : SUB(t)); };

  // ---- the widget -----------------------------------------------------------------------------
  function mount(root) {
    root.setAttribute("data-explorer", "loading");
    var id = "lstm-explorer-" + (++counter);
    var attr = root.getAttribute("data-weights") || "";
    var url;
    try {
      url = new URL(attr, window.location.href).href;
    } catch (e) {
      url = null;
    }

    var status = document.createElement("p");
    status.className = "lstm-widget__loading";
    status.setAttribute("role", "status");
    status.textContent = "正在读取训练好的权重……";
    root.appendChild(status);

    var failed = function (err) {
      root.setAttribute("data-explorer", "error");
      root.innerHTML = "";
      var box = document.createElement("div");
      box.className = "lstm-widget__error";
      box.setAttribute("role", "alert");
      var strong = document.createElement("strong");
      strong.textContent = "演示无法运行：读取训练好的权重失败。";
      var detail = document.createElement("p");
      detail.textContent = "原因：" + (err && err.message ? err.message : String(err)) +
        "。权重文件由本站的测试（pytest --regenerate）写到 generated/weights.json，请检查它是否存在、格式是否正确。";
      box.appendChild(strong);
      box.appendChild(detail);
      root.appendChild(box);
    };

    if (!url || !attr) {
      failed(new Error("没有给出权重文件的地址（data-weights）"));
      return;
    }
    if (typeof fetch !== "function") {
      failed(new Error("浏览器不支持 fetch"));
      return;
    }
    loadWeights(url).then(function (weights) {
      root.innerHTML = "";
      build(root, id, weights);
      root.setAttribute("data-explorer", "ready");
    }).catch(failed);
  }

  function build(root, id, sets) {
    var weights = {};
    sets.forEach(function (set) { weights[set.key] = set.weights; });
    var state = {
      set: sets[0].key,
      company: "A",
      xs: COMPANIES.A.inputs.slice(),
      step: 1,
      invalid: {}   // day index -> message
    };

    var radios = function (name, legend, options) {
      return "<fieldset class=\"lstm-widget__choice\"><legend>" + legend + "</legend>" +
        options.map(function (opt, k) {
          var oid = id + "-" + name + "-" + k;
          return "<span class=\"lstm-widget__radio\"><input type=\"radio\" name=\"" + id + "-" + name +
            "\" id=\"" + oid + "\" value=\"" + opt.value + "\"" + (opt.checked ? " checked" : "") + ">" +
            "<label for=\"" + oid + "\">" + opt.label + "</label></span>";
        }).join("") + "</fieldset>";
    };

    function set(key) {
      return sets.filter(function (s) { return s.key === key; })[0];
    }

    function setChoices() {
      return radios("set", "权重", sets.map(function (s) {
        return { value: s.key, label: s.label, checked: s.key === state.set };
      })).replace("<fieldset ", "<fieldset data-role=\"sets\" ");
    }

    var inputRows = "";
    for (var d = 0; d < DAYS; d++) {
      var lid = id + "-x" + d;
      inputRows += "<div class=\"lstm-widget__input\">" +
        "<label id=\"" + lid + "-label\" for=\"" + lid + "\">第 " + (d + 1) + " 天 " + VAR("x", d + 1) + "</label>" +
        "<input type=\"text\" inputmode=\"decimal\" autocomplete=\"off\" spellcheck=\"false\" id=\"" + lid +
        "\" data-day=\"" + d + "\" class=\"lstm-widget__text\" aria-describedby=\"" + id + "-range " + id + "-message\">" +
        "<input type=\"range\" min=\"" + MIN + "\" max=\"" + MAX + "\" step=\"" + STEP + "\" data-day=\"" + d +
        "\" class=\"lstm-widget__slider\" id=\"" + lid + "-slider\" aria-labelledby=\"" + lid + "-label " + lid + "-slider-name\">" +
        "<span class=\"lstm-widget__sr\" id=\"" + lid + "-slider-name\">滑块</span>" +
        "</div>";
    }

    root.innerHTML =
      "<div class=\"lstm-widget__widget\" role=\"group\" aria-labelledby=\"" + id + "-title\">" +
      "<p class=\"lstm-widget__title\" id=\"" + id + "-title\"><strong>LSTM 单元逐日演示</strong></p>" +
      "<div class=\"lstm-widget__choices\">" +
      setChoices() +
      radios("company", "数据", ["A", "B"].map(function (c) {
        var co = COMPANIES[c];
        return { value: c, label: co.name + "（" + co.inputs.join(", ") + "；标签 " + co.label + "）", checked: c === "A" };
      })) +
      "</div>" +
      "<fieldset class=\"lstm-widget__inputs\"><legend>四天的输入</legend>" +
      "<p class=\"lstm-widget__hint\" id=\"" + id + "-range\">可以输入 " + MIN + " 到 " + MAX +
      " 之间的任意数字，或拖动滑块（步长 " + STEP + "；获得焦点后可用方向键调节，文本框里 ↑/↓ 每次改 " + STEP +
      "，按住 Shift 改 0.1）。原文的数据都在 0 到 1 之间。</p>" +
      inputRows +
      "</fieldset>" +
      "<p class=\"lstm-widget__message\" id=\"" + id + "-message\" aria-live=\"polite\"></p>" +
      "<div class=\"lstm-widget__stepper\">" +
      "<button type=\"button\" data-action=\"prev\">← 上一天</button>" +
      "<button type=\"button\" data-action=\"next\">下一天 →</button>" +
      "<button type=\"button\" data-action=\"reset\">重置（回到第 1 天）</button>" +
      "<p class=\"lstm-widget__status\" aria-live=\"polite\" data-role=\"status\"></p>" +
      "</div>" +
      "<div class=\"lstm-widget__scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" + id + "-detail-caption\" data-role=\"detail\"></div>" +
      "<div class=\"lstm-widget__scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" + id + "-trace-caption\" data-role=\"trace\"></div>" +
      "<div class=\"lstm-widget__prediction\" data-role=\"prediction\"></div>" +
      "<details class=\"lstm-widget__weights\"><summary>查看这组权重的 12 个参数</summary><div class=\"lstm-widget__scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"" + id + "-weights-caption\" data-role=\"weights\"></div></details>" +
      "</div>";

    var q = function (sel) { return root.querySelector(sel); };
    var texts = Array.prototype.slice.call(root.querySelectorAll(".lstm-widget__text"));
    var sliders = Array.prototype.slice.call(root.querySelectorAll(".lstm-widget__slider"));
    var message = q("#" + id + "-message");
    var lastStatus = "";

    function setInputs(xs) {
      for (var d = 0; d < DAYS; d++) {
        texts[d].value = String(xs[d]);
        sliders[d].value = String(xs[d]);
        texts[d].removeAttribute("aria-invalid");
      }
      state.invalid = {};
      showMessage();
    }

    function showMessage() {
      var days = Object.keys(state.invalid).sort();
      message.textContent = days.length ? "⚠ " + days.map(function (d) { return state.invalid[d]; }).join("") +
        "预测仍按上一次有效的输入计算。" : "";
      message.classList.toggle("is-error", days.length > 0);
    }

    function matchCompany() {
      state.company = null;
      Object.keys(COMPANIES).forEach(function (c) {
        var ok = COMPANIES[c].inputs.every(function (v, d) { return v === state.xs[d]; });
        if (ok) state.company = c;
      });
      root.querySelectorAll("input[name='" + id + "-company']").forEach(function (r) {
        r.checked = r.value === state.company;
      });
    }

    // commit: the reader finished typing (change/Enter); otherwise a half-typed number is not an error yet.
    function onText(d, commit) {
      var r = parseInput(texts[d].value);
      var label = "第 " + (d + 1) + " 天的输入";
      if (r.error) {
        if (!commit && (r.error === "partial" || r.error === "empty")) return;
        state.invalid[d] = r.error === "empty" ? label + "不能为空，请填 " + MIN + " 到 " + MAX + " 之间的数。"
          : r.error === "range" ? label + " " + texts[d].value.trim() + " 超出了范围，只能在 " + MIN + " 到 " + MAX + " 之间。"
          : label + "“" + texts[d].value.trim() + "”不是数字。";
        texts[d].setAttribute("aria-invalid", "true");
        showMessage();
        return;
      }
      delete state.invalid[d];
      texts[d].removeAttribute("aria-invalid");
      showMessage();
      sliders[d].value = String(r.value);
      if (state.xs[d] !== r.value) {
        state.xs[d] = r.value;
        matchCompany();
        render();
      }
    }

    function onSlider(d) {
      var v = Number(sliders[d].value);
      if (!isFinite(v)) return;
      texts[d].value = String(v);
      delete state.invalid[d];
      texts[d].removeAttribute("aria-invalid");
      showMessage();
      state.xs[d] = v;
      matchCompany();
      render();
    }

    texts.forEach(function (el, d) {
      el.addEventListener("input", function () { onText(d, false); });
      el.addEventListener("change", function () { onText(d, true); });
      el.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") {
          onText(d, true);
        } else if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
          var r = parseInput(el.value);
          if (r.error) { onText(d, true); return; }
          ev.preventDefault();
          var delta = (ev.shiftKey ? 0.1 : STEP) * (ev.key === "ArrowUp" ? 1 : -1);
          var v = Math.min(MAX, Math.max(MIN, Math.round((r.value + delta) * 100) / 100));
          el.value = String(v);
          onText(d, true);
        }
      });
    });
    sliders.forEach(function (el, d) {
      el.addEventListener("input", function () { onSlider(d); });
    });

    function bindSets() {
      root.querySelectorAll("input[name='" + id + "-set']").forEach(function (r) {
        r.addEventListener("change", function () {
          if (r.checked) { state.set = r.value; render(); }
        });
      });
    }
    bindSets();

    // Weights the reader trained with the trainer (trainer.js) on the same page become one more set,
    // chosen, with the focus on it.
    root.addTrained = function (detail) {
      var trained = { key: "trained", label: detail.label, caption: detail.caption, weights: detail.weights };
      sets = sets.filter(function (s) { return s.key !== "trained"; }).concat([trained]);
      weights.trained = trained.weights;
      state.set = "trained";
      root.querySelector("[data-role=sets]").outerHTML = setChoices();
      bindSets();
      render();
      root.querySelector("input[name='" + id + "-set'][value=trained]").focus();
    };
    root.querySelectorAll("input[name='" + id + "-company']").forEach(function (r) {
      r.addEventListener("change", function () {
        if (!r.checked) return;
        state.company = r.value;
        state.xs = COMPANIES[r.value].inputs.slice();
        setInputs(state.xs);
        render();
      });
    });

    root.querySelectorAll(".lstm-widget__stepper button").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.getAttribute("aria-disabled") === "true") return;
        var a = b.getAttribute("data-action");
        if (a === "prev") state.step = Math.max(1, state.step - 1);
        else if (a === "next") state.step = Math.min(DAYS, state.step + 1);
        else state.step = 1;
        render();
      });
    });

    function detailTable(s, t) {
      var w = weights[state.set];
      var p = t - 1;
      var hp = VAR("h", p === 0 ? "0" : p), xt = VAR("x", t);
      var n4 = function (v) { return v < 0 ? "(" + num(v, 4) + ")" : num(v, 4); };
      var rows = [
        ["x", "今天的输入", VAR("x", t), "input_value", "第 " + t + " 天的数据", s.x],
        ["Cprev", "昨天留下的长期记忆", VAR("C", p), "long_memory", p === 0 ? "一开始为 0" : "第 " + p + " 天的 " + VAR("C", p), s.Cprev],
        ["hprev", "昨天留下的短期记忆", VAR("h", p), "short_memory", p === 0 ? "一开始为 0" : "第 " + p + " 天的 " + VAR("h", p), s.hprev],
        ["f", "遗忘门", VAR("f", t), "long_remember_percent",
          "σ(" + hp + "·wlr1 + " + xt + "·wlr2 + blr1)<br>= σ(" + n4(s.hprev) + "×" + n4(w.wlr1) + " + " + n4(s.x) + "×" + n4(w.wlr2) + " + " + n4(w.blr1) + ") = σ(" + num(s.zf, 4) + ")", s.f],
        ["i", "输入门", VAR("i", t), "potential_remember_percent",
          "σ(" + hp + "·wpr1 + " + xt + "·wpr2 + bpr1)<br>= σ(" + n4(s.hprev) + "×" + n4(w.wpr1) + " + " + n4(s.x) + "×" + n4(w.wpr2) + " + " + n4(w.bpr1) + ") = σ(" + num(s.zi, 4) + ")", s.i],
        ["g", "候选记忆", VAR("C̃", t), "potential_memory",
          "tanh(" + hp + "·wp1 + " + xt + "·wp2 + bp1)<br>= tanh(" + n4(s.hprev) + "×" + n4(w.wp1) + " + " + n4(s.x) + "×" + n4(w.wp2) + " + " + n4(w.bp1) + ") = tanh(" + num(s.zg, 4) + ")", s.g],
        ["C", "长期记忆", VAR("C", t), "updated_long_memory",
          VAR("C", p) + "·" + VAR("f", t) + " + " + VAR("C̃", t) + "·" + VAR("i", t) + "<br>= " + n4(s.Cprev) + "×" + n4(s.f) + " + " + n4(s.g) + "×" + n4(s.i), s.C],
        ["o", "输出门", VAR("o", t), "output_percent",
          "σ(" + hp + "·wo1 + " + xt + "·wo2 + bo1)<br>= σ(" + n4(s.hprev) + "×" + n4(w.wo1) + " + " + n4(s.x) + "×" + n4(w.wo2) + " + " + n4(w.bo1) + ") = σ(" + num(s.zo, 4) + ")", s.o],
        ["h", "短期记忆", VAR("h", t), "updated_short_memory",
          "tanh(" + VAR("C", t) + ")·" + VAR("o", t) + "<br>= tanh(" + n4(s.C) + ")×" + n4(s.o), s.h]
      ];
      var gate = { f: 1, i: 1, o: 1 };
      return "<p class=\"lstm-widget__table-title\" id=\"" + id + "-detail-caption\">第 " + t + " 天（" + VAR("t") + " = " + t + "）的计算" +
        "<span class=\"lstm-widget__caption-note\">（“怎么算”里的数字保留 4 位小数）</span></p>" +
        "<table class=\"lstm-widget__table lstm-widget__detail\" aria-labelledby=\"" + id + "-detail-caption\">" +
        "<thead><tr><th scope=\"col\">量</th><th scope=\"col\">值</th><th scope=\"col\">代码里的名字</th><th scope=\"col\">怎么算</th></tr></thead><tbody>" +
        rows.map(function (r) {
          var bar = gate[r[0]] ? "<span class=\"lstm-widget__bar\" aria-hidden=\"true\"><span style=\"width:" +
            (r[5] * 100).toFixed(1) + "%\"></span></span>" : "";
          var cls = r[0] === "Cprev" || r[0] === "hprev" ? " class=\"is-carry\"" : (r[0] === "C" || r[0] === "h" ? " class=\"is-memory\"" : "");
          return "<tr" + cls + "><th scope=\"row\">" + r[1] + " " + r[2] + "</th>" +
            "<td class=\"lstm-widget__value\">" + num(r[5], 6, " data-quantity=\"" + r[0] + "\" data-day=\"" + t + "\"") + bar + "</td>" +
            "<td><code>" + r[3].replace(/_/g, "_<wbr>") + "</code></td><td class=\"lstm-widget__formula\">" + r[4] + "</td></tr>";
        }).join("") + "</tbody></table>";
    }

    function traceTable(steps) {
      var rows = [
        ["x", "输入", "x"], ["f", "遗忘门", "f"], ["i", "输入门", "i"], ["g", "候选记忆", "C̃"],
        ["C", "长期记忆", "C"], ["o", "输出门", "o"], ["h", "短期记忆", "h"]
      ];
      var head = "<tr><th scope=\"col\">量</th>";
      for (var t = 1; t <= DAYS; t++) {
        head += "<th scope=\"col\"" + (t === state.step ? " aria-current=\"step\" class=\"is-current\"" : "") + ">第 " + t + " 天</th>";
      }
      head += "</tr>";
      return "<p class=\"lstm-widget__table-title\" id=\"" + id + "-trace-caption\">四天的轨迹（已算到第 " + state.step + " 天）</p>" +
        "<table class=\"lstm-widget__table lstm-widget__trace\" aria-labelledby=\"" + id + "-trace-caption\">" +
        "<thead>" + head + "</thead><tbody>" +
        rows.map(function (r) {
          var cells = "";
          for (var t = 1; t <= DAYS; t++) {
            var cur = t === state.step ? " class=\"is-current\"" : "";
            cells += t <= state.step
              ? "<td" + cur + ">" + num(steps[t - 1][r[0]], 6, " data-quantity=\"" + r[0] + "\" data-day=\"" + t + "\"") + "</td>"
              : "<td class=\"is-pending\"><span aria-hidden=\"true\">…</span><span class=\"lstm-widget__sr\">还没算到</span></td>";
          }
          return "<tr><th scope=\"row\">" + r[1] + " " + VAR(r[2], "t") + "</th>" + cells + "</tr>";
        }).join("") + "</tbody></table>";
    }

    function predictionBox(steps) {
      var w = weights[state.set];
      var pred = steps[DAYS - 1].h;
      var setLabel = set(state.set).label;
      var pa = unroll(w, COMPANIES.A.inputs)[DAYS - 1].h;
      var pb = unroll(w, COMPANIES.B.inputs)[DAYS - 1].h;
      var good = Math.abs(pa - COMPANIES.A.label) < 0.1 && Math.abs(pb - COMPANIES.B.label) < 0.1;
      var co = state.company && COMPANIES[state.company];
      var html = "<p class=\"lstm-widget__answer\">预测（第 4 天的短期记忆 " + VAR("h", 4) + "）：" +
        "<strong>" + num(pred, 6, " data-quantity=\"prediction\"") + "</strong></p>";
      html += co
        ? "<p>" + co.name + "的标签是 " + co.label + "，预测与标签相差 " + num(Math.abs(pred - co.label), 6, " data-quantity=\"error\"") + "。</p>"
        : "<p>这是自定义的输入，没有标签。</p>";
      html += "<p>用“" + setLabel + "”的权重：公司 A 预测 " + num(pa, 6, " data-quantity=\"prediction-A\"") +
        "（标签 0），公司 B 预测 " + num(pb, 6, " data-quantity=\"prediction-B\"") + "（标签 1）。" +
        (good ? "两家公司的预测离各自的标签都不到 0.1：模型学会了，“效果巨好”。"
              : "至少有一家公司的预测离标签还差 0.1 以上，两家公司分得不够开——这就是上文说的“效果一般”。") + "</p>";
      return html;
    }

    function weightsTable() {
      var w = weights[state.set];
      var groups = [["遗忘门", "wlr1", "wlr2", "blr1"], ["输入门", "wpr1", "wpr2", "bpr1"],
        ["候选记忆", "wp1", "wp2", "bp1"], ["输出门", "wo1", "wo2", "bo1"]];
      return "<table class=\"lstm-widget__table\"><caption id=\"" + id + "-weights-caption\">" +
        set(state.set).caption + "</caption>" +
        "<thead><tr><th scope=\"col\">部分</th><th scope=\"col\">乘 " + VAR("h", "t−1") + "</th><th scope=\"col\">乘 " + VAR("x", "t") + "</th><th scope=\"col\">偏置</th></tr></thead><tbody>" +
        groups.map(function (g) {
          return "<tr><th scope=\"row\">" + g[0] + "</th>" + g.slice(1).map(function (k) {
            return "<td><code>" + k + "</code> = " + num(w[k], 6, " data-weight=\"" + k + "\"") + "</td>";
          }).join("") + "</tr>";
        }).join("") + "</tbody></table>";
    }

    function render() {
      var w = weights[state.set];
      var steps = unroll(w, state.xs);
      var bad = steps.some(function (s) {
        return ["f", "i", "g", "C", "o", "h"].some(function (k) { return !isFinite(s[k]); });
      });
      if (bad) {  // cannot happen with validated weights and inputs in range; never show NaN anyway
        message.textContent = "⚠ 计算结果不是有限的数字，请检查输入。";
        return;
      }
      var s = steps[state.step - 1];
      q("[data-role=detail]").innerHTML = detailTable(s, state.step);
      q("[data-role=trace]").innerHTML = traceTable(steps);
      q("[data-role=prediction]").innerHTML = predictionBox(steps);
      q("[data-role=weights]").innerHTML = weightsTable();
      var st = q("[data-role=status]");
      st.setAttribute("data-step", String(state.step));
      var statusText = "第 " + state.step + " 天（共 " + DAYS + " 天），输入 " + VAR("x", state.step) + " = " +
        num(s.x, 6, " data-quantity=\"status-x\"");
      if (lastStatus !== statusText) {  // rewrite the live region only when it says something new
        lastStatus = statusText;
        st.innerHTML = statusText;
      }
      root.querySelector("[data-action=prev]").setAttribute("aria-disabled", String(state.step === 1));
      root.querySelector("[data-action=next]").setAttribute("aria-disabled", String(state.step === DAYS));
    }

    setInputs(state.xs);
    render();
  }

  // One listener for the whole site (Material's instant navigation keeps this script across pages): the
  // trainer's weights go to the explorer on the page now, if it is ready.
  document.addEventListener("lstm-trainer:weights", function (event) {
    var root = document.querySelector(".lstm-explorer[data-explorer=ready]");
    if (root && root.addTrained) root.addTrained(event.detail);
  });

  Cell.mountWhenNear(".lstm-explorer", "data-explorer", mount);
})();
