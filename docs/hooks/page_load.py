"""MkDocs hook: three changes to how Material's pages load, each traced on the long theory page.

- Material's bundle and the site's own scripts load with `defer`. Material ends <body> with them as
  plain scripts. The bundle's first act reads the scroll position, which forces the whole page's first
  style and layout pass inside the bundle's task; on the theory page that task blocked the main thread
  for about 0.1 s (0.4 s at Lighthouse's 4x CPU slowdown). Deferred, they run once the page is parsed,
  in the same order, after the browser has laid it out.
- The <link>s in <head> get their absolute URLs before <body> is parsed. Instant navigation makes
  every relative `href` and `src` absolute when the bundle starts (same address, new attribute value);
  on a stylesheet's <link> Chromium then applies the stylesheet again and restyles every element of
  the page, about 50 ms at 4x on the theory page, inside the bundle's task. Done in <head>, there is
  nothing to restyle yet, and Material leaves links that are already absolute alone.
- The light/dark switch in the header is run by the site's palette.js, not by Material's bundle: the
  hook renames the form's `data-md-component="palette"`, so the bundle does not mount it. At every
  load Material's palette component adds a color-scheme <meta>, marks <body> with
  `data-md-color-switching` while it reads the header's colours, sets the <meta> and later unmarks
  <body>: in Chromium each of these restyles every element, three full passes on the theory page
  (about 150 ms at 4x) even when the scheme stays as it was. And on a first visit it applied the
  scheme the browser prefers only then, after the page was drawn; a script after the form now does it
  before the content is parsed (Material's own inline script there only applies a remembered choice).

404.html is rendered as a template, not a page: on_post_template gives it the same three changes.

It patches Material's behaviour, so it stays only while, without it, the theory page's Lighthouse
performance (median of 5) falls below 95. `python .ci/benchmark.py --page-load` measures both builds in
turns. Two runs on 2026-12-01 (Lighthouse 12.2.3, mobile, the 2-core CI machine), with → without:
theory median 86 (range 85–92) → 66 (62–70), then 71 (58–85) → 63 (55–78); home 98 (97–99) → 95
(93–96), then 98 (86–99) → 90 (88–95). Without it the theory page is far below 95 in both runs and
its median is lower than with it in both, though the second run's ranges overlap.
"""
import re

SITE_SCRIPT = re.compile(r'<script src="([^"]*assets/javascripts/[^"]+\.js)"></script>')
ABSOLUTE_LINKS = '<script>for(const link of document.querySelectorAll("link[href]"))link.href=link.href</script>'
PALETTE_FORM = re.compile(r'<form class="md-header__option" data-md-component="palette">.*?</form>', re.S)
PREFERRED_PALETTE = (
    '<script>if(!__md_get("__palette")){const input=[...document.querySelectorAll("[data-md-palette] input")]'
    '.find(i=>matchMedia(i.getAttribute("data-md-color-media")).matches);if(input)for(const key of'
    '["scheme","primary","accent"])document.body.setAttribute("data-md-color-"+key,'
    'input.getAttribute("data-md-color-"+key))}</script>')


def on_post_page(output, **kwargs):
    output = output.replace("</head>", ABSOLUTE_LINKS + "</head>", 1)
    output = PALETTE_FORM.sub(
        lambda form: form[0].replace('data-md-component="palette"', "data-md-palette") + PREFERRED_PALETTE, output, 1)
    return SITE_SCRIPT.sub(r'<script defer src="\1"></script>', output)


def on_post_template(output_content, template_name, **kwargs):
    return on_post_page(output_content) if template_name == "404.html" else output_content
