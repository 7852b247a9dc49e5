// MathJax 3 for docs/hooks/mathjax.py: typesets the site's math while MkDocs builds it.
// Usage: node mathjax.js <MathJax's es5 directory>. One JSON request per line on stdin, one reply per line
// on stdout, per page:
//   {"formulas": [{"tex", "display"}], "fragments": [html], "fontURL"} -> {"formulas": [html], "fragments": [html], "css"}
// Formulas are TeX without delimiters; fragments are HTML whose text holds $…$ and $$…$$ (notebook cells).
// The CSS covers the glyphs that page uses. A formula MathJax cannot typeset gives {"error"} naming it.
const path = require('path');
const readline = require('readline');

const root = path.resolve(process.argv[2]);
const fail = (jax, error) => { throw new Error(`${jax.latex ?? ''}: ${error.message}`); };

require(path.join(root, 'node-main.js')).init({
  loader: {paths: {mathjax: root}, load: ['input/tex', 'output/chtml', 'a11y/assistive-mml']},
  tex: {
    inlineMath: [['$', '$']],
    displayMath: [['$$', '$$']],
    processEscapes: true,
    // An undefined macro is an error, not red text on the page.
    packages: {'[-]': ['noundefined']},
    formatError: fail,
  },
  // In a browser MathJax scales math to the x-height of the text around it: 1.195 for Material's sans-serif
  // (measured with MathJax in Chromium). There is no text to measure here, so the scale is given.
  chtml: {adaptiveCSS: true, matchFontHeight: false, scale: 1.2},
  options: {compileError: (doc, math, error) => { throw error; }},
  startup: {typeset: false},
}).then((MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const output = MathJax.startup.output;

  function typeset({formulas, fragments, fontURL}) {
    output.font.options.fontURL = fontURL;  // relative to the page, wherever the site is served
    output.clearCache();  // the page's CSS then holds only the glyphs it uses
    MathJax.texReset();
    return {
      formulas: formulas.map(({tex, display}) => adaptor.outerHTML(MathJax.tex2chtml(tex, {display}))),
      fragments: fragments.map((html) => {
        const doc = MathJax.startup.getHandler().create(html, MathJax.startup.document.options);
        doc.render();
        return adaptor.innerHTML(adaptor.body(doc.document));
      }),
      css: adaptor.textContent(output.styleSheet(MathJax.startup.document)),
    };
  }

  readline.createInterface({input: process.stdin}).on('line', (line) => {
    let reply;
    try {
      reply = typeset(JSON.parse(line));
    } catch (error) {
      // MathJax asks for a retry when it would load a file mid-typesetting (an unknown HTML entity).
      if (error.retry) error.retry.catch(() => {});
      reply = {error: error.retry ? `MathJax wanted to load a file while typesetting: ${error.message}` : error.message};
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
}).catch((error) => {
  process.stderr.write(`MathJax did not start: ${error.stack}\n`);
  process.exit(1);
});
