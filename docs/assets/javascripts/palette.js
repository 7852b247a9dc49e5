// The header's light/dark switch, run by the site instead of by Material's bundle, whose palette
// component restyles every element of the page three times at each load (docs/hooks/page_load.py).
// Same markup, same remembered choice (`__palette`, which Material's inline script applies before the
// page is drawn), same behaviour, the automatic `(prefers-color-scheme)` option included; the page is
// only restyled when its colours change. The page's own color-scheme follows in extra.css.
(() => {
  const form = document.querySelector("[data-md-palette]");
  if (!form) return;
  const inputs = [...form.querySelectorAll("input.md-option")];
  const AUTO = "(prefers-color-scheme)";
  const prefersLight = matchMedia("(prefers-color-scheme: light)");
  const colorOf = (input) => Object.fromEntries(
    ["media", "scheme", "primary", "accent"].map((key) => [key, input.getAttribute(`data-md-color-${key}`)]));

  function colorFor(index) {
    const color = colorOf(inputs[index]);
    if (color.media !== AUTO) return color;
    const media = `(prefers-color-scheme: ${prefersLight.matches ? "light" : "dark"})`;
    return { ...colorOf(form.querySelector(`[data-md-color-media="${media}"]`)), media: AUTO };
  }

  function show(index) {
    const body = document.body;
    const color = colorFor(index);
    const changed = Object.entries(color).filter(([key, value]) => body.getAttribute(`data-md-color-${key}`) !== value);
    const restyling = changed.some(([key]) => key !== "media");  // no CSS selects on the media
    if (restyling) body.setAttribute("data-md-color-switching", "");  // Material's CSS: no transitions
    for (const [key, value] of changed) body.setAttribute(`data-md-color-${key}`, value);
    inputs.forEach((input, i) => {
      input.checked = i === index;
      if (input.nextElementSibling instanceof HTMLLabelElement) input.nextElementSibling.hidden = i !== index;
    });
    __md_set("__palette", { index, color });
    const headerColor = getComputedStyle(document.querySelector("[data-md-component=header]")).backgroundColor;
    const theme = document.head.querySelector('meta[name="theme-color"]')
      || document.head.appendChild(Object.assign(document.createElement("meta"), { name: "theme-color" }));
    // Hex, as Material writes it, from the usual rgb(r, g, b); any other form (rgba(…), color(srgb …), …)
    // is a CSS colour the meta accepts as it is.
    const rgb = headerColor.match(/^rgb\((\d+), (\d+), (\d+)\)$/);
    theme.content = rgb ? "#" + rgb.slice(1).map((c) => (+c).toString(16).padStart(2, "0")).join("") : headerColor;
    if (restyling) requestAnimationFrame(() => body.removeAttribute("data-md-color-switching"));
  }

  const current = () => inputs.findIndex((input) => input.checked);
  const stored = __md_get("__palette");
  const preferred = inputs.findIndex((input) => matchMedia(input.getAttribute("data-md-color-media")).matches);
  show(stored && inputs[stored.index] ? stored.index : Math.max(0, preferred));
  form.addEventListener("change", (event) => show(inputs.indexOf(event.target)));
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const next = inputs[(current() + 1) % inputs.length];
    next.click();
    next.focus();
  });
  prefersLight.addEventListener("change", () => {
    if (inputs[current()].getAttribute("data-md-color-media") === AUTO) show(current());
  });
})();
