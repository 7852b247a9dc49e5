// The LSTM cell of this book, shared by the explorer (explorer.js) and the trainer (trainer.js): the
// forward pass of LSTMbyHand.lstm_unit and nn.LSTM(1, 1), its backward pass through the four days written
// out by hand, and PyTorch's Adam; and what both widgets share: loading, showing and reading numbers,
// mounting. Plain JavaScript in float64; the tests measure how far it stays from PyTorch
// (tests/test_cell_js.py, tests/test_trainer.py).
(function () {
  "use strict";

  // How a model's flat parameter list feeds the four gates: for each gate, the index of its weight on
  // h_{t-1} (wh), on x_t (wx), and of the biases that add up to its bias (nn.LSTM has two per gate).
  var LAYOUTS = {
    // LSTMbyHand's 12 parameters, in the order the model registers them.
    hand: {
      names: ["wlr1", "wlr2", "blr1", "wpr1", "wpr2", "bpr1", "wp1", "wp2", "bp1", "wo1", "wo2", "bo1"],
      gates: { f: { wh: 0, wx: 1, b: [2] }, i: { wh: 3, wx: 4, b: [5] }, g: { wh: 6, wx: 7, b: [8] }, o: { wh: 9, wx: 10, b: [11] } }
    },
    // nn.LSTM(1, 1)'s 16: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, each stacked i, f, g, o.
    nn: {
      names: ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].reduce(function (all, name) {
        return all.concat([0, 1, 2, 3].map(function (k) { return name + "[" + k + "]"; }));
      }, []),
      gates: { i: { wh: 4, wx: 0, b: [8, 12] }, f: { wh: 5, wx: 1, b: [9, 13] }, g: { wh: 6, wx: 2, b: [10, 14] }, o: { wh: 7, wx: 3, b: [11, 15] } }
    }
  };
  var GATES = ["f", "i", "g", "o"];

  function sigmoid(z) { return 1 / (1 + Math.exp(-z)); }

  // The weights each gate uses, from a flat parameter list.
  function gateWeights(layout, params) {
    var w = {};
    GATES.forEach(function (k) {
      var gate = layout.gates[k];
      w[k] = { wh: params[gate.wh], wx: params[gate.wx], b: gate.b.reduce(function (sum, j) { return sum + params[j]; }, 0) };
    });
    return w;
  }

  // One day: LSTMbyHand.lstm_unit. Returns everything the explorer shows and the backward pass needs.
  function step(w, x, C, h) {
    var zf = h * w.f.wh + x * w.f.wx + w.f.b;
    var zi = h * w.i.wh + x * w.i.wx + w.i.b;
    var zg = h * w.g.wh + x * w.g.wx + w.g.b;
    var zo = h * w.o.wh + x * w.o.wx + w.o.b;
    var f = sigmoid(zf), i = sigmoid(zi), g = Math.tanh(zg), o = sigmoid(zo);
    var Cn = C * f + g * i;
    var tanhC = Math.tanh(Cn);
    return { x: x, Cprev: C, hprev: h, zf: zf, zi: zi, zg: zg, zo: zo, f: f, i: i, g: g, o: o, C: Cn, tanhC: tanhC, h: tanhC * o };
  }

  // The days in order from C = h = 0, as LSTMbyHand.forward does; the prediction is the last h.
  function unroll(w, xs) {
    var C = 0, h = 0, steps = [];
    for (var t = 0; t < xs.length; t++) {
      var s = step(w, xs[t], C, h);
      steps.push(s);
      C = s.C;
      h = s.h;
    }
    return steps;
  }

  // The squared error of one sequence and its gradient with respect to every parameter, by
  // backpropagation through the days. With h = o·tanh(C), C = f·C_prev + i·g and each gate
  // a = act(wh·h_prev + wx·x + b):
  //   dL/do = dL/dh · tanh(C)           dL/dC += dL/dh · o · (1 − tanh²C)
  //   dL/df = dL/dC · C_prev            dL/di = dL/dC · g          dL/dg = dL/dC · i
  //   dL/dz = dL/da · σ'(z) = dL/da · a(1 − a) for f, i, o;  dL/da · (1 − g²) for g
  //   dL/dwh += dL/dz · h_prev   dL/dwx += dL/dz · x   dL/db += dL/dz (to each bias that adds up to b)
  //   dL/dh_prev = Σ dL/dz · wh  dL/dC_prev = dL/dC · f
  function lossAndGradient(layout, params, xs, label) {
    var w = gateWeights(layout, params);
    var steps = unroll(w, xs);
    var out = steps[steps.length - 1].h;
    var grad = new Float64Array(params.length);
    var dh = 2 * (out - label), dC = 0;
    for (var t = steps.length - 1; t >= 0; t--) {
      var s = steps[t];
      var dz = {
        o: dh * s.tanhC * s.o * (1 - s.o)
      };
      dC += dh * s.o * (1 - s.tanhC * s.tanhC);
      dz.f = dC * s.Cprev * s.f * (1 - s.f);
      dz.i = dC * s.g * s.i * (1 - s.i);
      dz.g = dC * s.i * (1 - s.g * s.g);
      dh = 0;
      GATES.forEach(function (k) {
        var gate = layout.gates[k];
        grad[gate.wh] += dz[k] * s.hprev;
        grad[gate.wx] += dz[k] * s.x;
        gate.b.forEach(function (j) { grad[j] += dz[k]; });
        dh += dz[k] * w[k].wh;
      });
      dC = dC * s.f;
    }
    return { out: out, loss: (out - label) * (out - label), grad: grad };
  }

  // torch.optim.Adam with its defaults (betas 0.9 and 0.999, eps 1e-8, no weight decay), as its
  // single-tensor step computes it: the first moment by lerp_ (m + (g − m)(1 − β1)), and eps added to
  // sqrt(v) / sqrt(bias correction 2).
  function Adam(size, lr) {
    this.lr = lr;
    this.t = 0;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  Adam.prototype.step = function (params, grad) {
    var b1 = 0.9, b2 = 0.999, eps = 1e-8;
    this.t += 1;
    var c1 = 1 - Math.pow(b1, this.t), c2 = Math.sqrt(1 - Math.pow(b2, this.t));
    for (var j = 0; j < params.length; j++) {
      this.m[j] += (grad[j] - this.m[j]) * (1 - b1);
      this.v[j] = this.v[j] * b2 + grad[j] * grad[j] * (1 - b2);
      params[j] -= (this.lr / c1) * this.m[j] / (Math.sqrt(this.v[j]) / c2 + eps);
    }
  };

  // ---- what both widgets show and read ---------------------------------------------------------

  // A JSON file of the site, or an Error that says what went wrong with it (`what`: its name for the reader).
  function fetchJSON(url, what) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + "，" + url);
      return response.text();
    }, function () {
      throw new Error("网络请求失败，" + url);
    }).then(function (text) {
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new Error(what + "不是合法的 JSON");
      }
    });
  }

  function fmt(v, digits) {
    var s = v.toFixed(digits);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;  // no "-0.0000"
  }

  // A shown number: rounded text, full precision in data-value (what the tests read).
  function num(v, digits, attrs) {
    if (typeof v !== "number" || !isFinite(v)) return "<span class=\"lstm-widget__num\">—</span>";
    return "<span class=\"lstm-widget__num\" data-value=\"" + String(v) + "\"" + (attrs || "") + ">" + fmt(v, digits) + "</span>";
  }

  // What the reader typed, with the full-width digits, point and signs of a Chinese keyboard made ASCII.
  function typed(text) {
    return String(text).trim().replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[．。]/g, ".").replace(/[−－]/g, "-").replace(/＋/g, "+");
  }

  // Both widgets mount each of their elements once it comes near the viewport, not while the page loads:
  // building one styles and lays out the whole page again, which on the seeds page blocked the main thread
  // for about a second at Lighthouse's 4x slowdown. `state` is the attribute that marks an element taken.
  function mountWhenNear(selector, state, mount) {
    function mountAll() {
      document.querySelectorAll(selector + ":not([" + state + "])").forEach(function (root) {
        root.setAttribute(state, "waiting");
        if (!("IntersectionObserver" in window)) return mount(root);
        var observer = new IntersectionObserver(function (entries) {
          if (entries.some(function (entry) { return entry.isIntersecting; })) {
            observer.disconnect();
            mount(root);
          }
        }, { rootMargin: "600px 0px" });
        observer.observe(root);
      });
    }
    // Material's instant navigation swaps pages without reloading scripts: document$ announces each page.
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(mountAll);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", mountAll);
    } else {
      mountAll();
    }
  }

  window.LSTMCell = { LAYOUTS: LAYOUTS, gateWeights: gateWeights, unroll: unroll, lossAndGradient: lossAndGradient,
                      Adam: Adam, fetchJSON: fetchJSON, fmt: fmt, num: num, typed: typed, mountWhenNear: mountWhenNear };
})();
