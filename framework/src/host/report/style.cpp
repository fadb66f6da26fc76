// The report's stylesheet, inlined into the page: light and dark themes, one column on a
// phone, no web fonts, no url() or @import (the page must never touch the network).
#include "host/report/style.hpp"

namespace skillpipe::host::report {
namespace {

// One literal, kept whole: a stylesheet reads best as one piece.
const char* const kStylesheet = R"css(
:root{--bg:#f6f7f9;--fg:#1d2329;--muted:#5f6b76;--card:#fff;--line:#dde2e7;--up:#1a7f37;--down:#cf222e;
--same:#8c959f;--accent:#0969da;--warn:#9a6700;--addbg:#e6ffec;--delbg:#ffebe9;--hunkbg:#ddf4ff;--warnbg:#fff8c5;
--code:#eff2f5;--md:#8250df}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--card:#161b22;--line:#30363d;
--up:#3fb950;--down:#f85149;--same:#6e7681;--accent:#4493f8;--warn:#d29922;--addbg:#12261e;--delbg:#2d1416;
--hunkbg:#121d2f;--warnbg:#2e2a12;--code:#1f242c;--md:#bc8cff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:1100px;margin:0 auto;padding:12px}
header{padding:4px 4px 0}
header h1{font-size:1.35rem;margin:.3rem 0;overflow-wrap:anywhere}
header p{margin:.15rem 0;color:var(--muted);overflow-wrap:anywhere}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px;margin:12px 0}
h2{font-size:1.1rem;margin:.1rem 0 .6rem}
h3{font-size:1rem;margin:0;display:inline;overflow-wrap:anywhere}
h4{font-size:.95rem;margin:.8rem 0 .3rem}
nav.toc{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.9rem}
nav.toc a{color:var(--accent);text-decoration:none}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;margin:.4rem 0}
.tile{border:1px solid var(--line);border-radius:8px;padding:8px 10px}
.tile .v{font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.tile .k{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.85rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{overflow-wrap:anywhere;min-width:9em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.muted{color:var(--muted)}
.nm{color:var(--muted);font-style:italic}
.up{color:var(--up)}.down{color:var(--down)}.flat{color:var(--muted)}
.badge{display:inline-block;padding:0 8px;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.st-ok{color:var(--up)}.st-bad{color:var(--down)}.st-warn{color:var(--warn)}.st-other{color:var(--muted)}
.tag{display:inline-block;padding:0 6px;border-radius:4px;background:var(--code);font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
code,pre,table.diff{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.85rem}
code{overflow-wrap:anywhere}
pre{background:var(--code);padding:8px 10px;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}
.gate{border-left:4px solid var(--muted);padding:4px 12px;margin:.8rem 0}
.gate.ok{border-color:var(--up)}.gate.bad{border-color:var(--down)}.gate.warn{border-color:var(--warn)}
.gate p{margin:.25rem 0}
.warnbox{background:var(--warnbg);padding:6px 10px;border-radius:6px}
article.proposal{border-top:1px solid var(--line);padding:10px 0}
article.proposal:first-of-type{border-top:0}
.ph{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center}
.stats{font-size:.85rem;font-variant-numeric:tabular-nums}
p.path{margin:.3rem 0;color:var(--muted);font-size:.9rem}
ul.reasons{margin:.3rem 0;padding-left:1.2rem;font-size:.9rem}
table.diff{border:1px solid var(--line);border-radius:6px;table-layout:auto}
table.diff td{border:0;padding:0 6px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45}
table.diff td.ln{color:var(--muted);text-align:right;width:1%;white-space:nowrap;user-select:none;font-size:.75rem}
table.diff tr.add{background:var(--addbg)}
table.diff tr.del{background:var(--delbg)}
table.diff tr.hunk{background:var(--hunkbg);color:var(--muted)}
.sg{user-select:none;color:var(--muted);padding-right:6px}
.nonl{color:var(--muted);font-style:italic;padding-left:8px}
.mh{font-weight:700;color:var(--accent)}
.mk,.mq,.my{color:var(--accent)}
.mi,.mc,.mf{color:var(--md)}
.mb{font-weight:700}
.ml{color:var(--accent);text-decoration:underline dotted}
.mr{color:var(--muted)}
ul.edits{list-style:none;padding:0;margin:0}
ul.edits li{border-top:1px solid var(--line);padding:8px 0}
ul.edits li:first-child{border-top:0}
.why{margin:.2rem 0}
details>summary{cursor:pointer;color:var(--muted);margin:.3rem 0}
svg.chart{width:100%;max-width:820px;height:auto;display:block;margin:.3rem 0}
p.legend{font-size:.85rem;color:var(--muted);margin:.2rem 0}
p.legend>span{white-space:nowrap}
.key{display:inline-block;width:22px;height:0;vertical-align:middle;margin:0 6px 0 10px;border-top:2.5px solid var(--accent)}
.key.k-before{border-top:2px dashed var(--same)}
.key.k-acc{width:10px;height:10px;border:0;border-radius:50%;background:var(--up)}
svg .grid{stroke:var(--line);stroke-width:1}
svg .axis{stroke:var(--muted);stroke-width:1}
svg .tick,svg .legend{fill:var(--muted);font-size:11px}
svg .barlabel{fill:#fff;font-size:11px;font-weight:600}
svg .ln-before{stroke:var(--same);stroke-width:2;fill:none;stroke-dasharray:5 4}
svg .ln-after{stroke:var(--accent);stroke-width:2.5;fill:none}
svg .pt-before{fill:var(--same)}
svg .pt-after{fill:var(--card);stroke:var(--accent);stroke-width:2}
svg .pt-acc{fill:var(--up);stroke:var(--up);stroke-width:2}
svg .cur{fill:var(--accent);opacity:.09}
svg .nmark{fill:var(--muted);font-size:13px}
svg .b-up{fill:var(--up)}svg .b-down{fill:var(--down)}svg .b-same{fill:var(--same)}svg .b-time{fill:var(--accent)}
svg .b-sub{fill:var(--accent);opacity:.45}svg .tick.sub{font-style:italic}
svg .axlabel{fill:var(--fg);font-size:12px;font-weight:600}
.bars{margin:.4rem 0;font-size:.85rem}
.brow{display:grid;grid-template-columns:minmax(8em,2fr) minmax(6em,2fr) minmax(9em,1.2fr);gap:4px 10px;align-items:center;padding:3px 0;border-bottom:1px solid var(--line)}
.brow.bhead{color:var(--muted);font-weight:600;border-bottom:1px solid var(--muted)}
.blabel{overflow-wrap:anywhere}.blabel .id{font-family:ui-monospace,Menlo,Consolas,monospace}
.btrack{position:relative;height:14px;background:var(--code);border-radius:3px}
.btrack.baxis{display:flex;justify-content:space-between;background:none;height:auto;font-weight:400}
.bzero{position:absolute;left:50%;top:-2px;bottom:-2px;border-left:1px solid var(--muted)}
.bbar{position:absolute;top:2px;bottom:2px;border-radius:2px}
.bbar.b-up{background:var(--up)}.bbar.b-down{background:var(--down)}
.bval{font-variant-numeric:tabular-nums;white-space:nowrap}
p.axcap{font-size:.85rem;color:var(--fg);font-weight:600;margin:.3rem 0}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:8px 12px 20px}
@media (max-width:640px){body{font-size:14px}main{padding:6px}section{padding:10px 10px;border-radius:8px}
.tile .v{font-size:1.15rem}th,td{padding:4px 5px}.wide{display:none}
svg .tick,svg .legend,svg .axlabel{font-size:19px}.brow{grid-template-columns:1fr 1fr}.bval{grid-column:1/3}svg .barlabel{font-size:17px}svg .nmark{font-size:20px}}
@media print{body{background:#fff}section{break-inside:avoid;border-color:#ccc}details{display:block}}
)css";

}  // namespace

const char* stylesheet() { return kStylesheet; }

}  // namespace skillpipe::host::report
