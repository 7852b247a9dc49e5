// The header's light/dark switch, run by the site instead of by Material's bundle, whose palette
// component restyles every element of the page three times at each load (docs/hooks/page_load.py).
// Same markup, same remembered choice (`__palette`, which Material's inline script applies before the
// page is drawn), same behaviour; the page is only restyled when the scheme really changes.
(() => {
  const form = document.querySelector("[data-md-palette]");
  if (!form) return;
  const inputs = [...form.querySelectorAll("input.md-option")];
  const colorOf = (input) => Object.fromEntries(
    ["media", "scheme", "primary", "accent"].map((key) => [key, input.getAttribute(`data-md-color-${key}`)]));
  const meta = (name) => document.head.querySelector(`meta[name="${name}"]`)
    || document.head.appendChild(Object.assign(document.createElement("meta"), { name }));

  function show(index, switching) {
    const body = document.body;
    const color = colorOf(inputs[index]);
    if (switching) body.setAttribute("data-md-color-switching", "");  // Material's CSS: no transitions
    for (const [key, value] of Object.entries(color)) {
      if (body.getAttribute(`data-md-color-${key}`) !== value) body.setAttribute(`data-md-color-${key}`, value);
    }
    inputs.forEach((input, i) => {
      input.checked = i === index;
      input.nextElementSibling.hidden = i !== index;
    });
    __md_set("__palette", { index, color });
    const header = getComputedStyle(document.querySelector("[data-md-component=header]"));
    meta("theme-color").content = "#" + header.backgroundColor.match(/\d+/g).slice(0, 3)
      .map((c) => (+c).toString(16).padStart(2, "0")).join("");
    // Any change to a color-scheme <meta> restyles the whole page; without one, the page is drawn light.
    const scheme = document.head.querySelector('meta[name="color-scheme"]');
    if (scheme ? scheme.content !== header.colorScheme : !["normal", "light"].includes(header.colorScheme)) {
      meta("color-scheme").content = header.colorScheme;
    }
    if (switching) requestAnimationFrame(() => body.removeAttribute("data-md-color-switching"));
  }

  const stored = __md_get("__palette");
  const preferred = inputs.findIndex((input) => matchMedia(input.getAttribute("data-md-color-media")).matches);
  show(stored && inputs[stored.index] ? stored.index : Math.max(0, preferred), false);
  form.addEventListener("change", (event) => show(inputs.indexOf(event.target), true));
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const next = inputs[(inputs.findIndex((input) => input.checked) + 1) % inputs.length];
    next.click();
    next.focus();
  });
})();
