import GradlogStore

/// `gradlog report`'s page: the run's numbers as JSON inside the page, a table of every node
/// (the numbers as `show` prints them), and a script that draws the graph as SVG, shows the
/// selected node and steps the backward pass. Nothing is fetched: no network at view time.
struct ReportHTML {
    var picture: GraphPicture
    var title: String
    var program: String
    var output: Int64
    /// `explain`'s text per node id, where it was formed.
    var explanations: [Int64: String] = [:]

    /// Tensor nodes' shape, statistics and a corner of their value and adjoint, by node id.
    var tensors: [Int64: RecordedTensor] = [:]
    /// The heatmap shows at most this many rows and columns of a tensor (its first 2-D slice).
    static let heatmapSide = 24

    /// Graphs up to this many nodes carry every node's `explain` text.
    static let explainedLimit = 2_000
    /// Nodes the static table lists; a larger run is reached through the search box.
    static let tableLimit = 5_000

    var text: String {
        let nodes: [Value] = picture.nodes.enumerated().map { index, node in
            let label = node.name ?? node.idA.map { "#\($0)" } ?? node.idB.map { "B#\($0)" } ?? "#?"
            let tensor = node.idA.flatMap { tensors[$0] }
            return .object([
                ("i", .int(Int64(index))), ("id", node.idA.map(Value.int) ?? .null), ("label", .string(label)),
                ("named", .bool(node.name != nil)), ("op", .string(node.op.name)), ("line", .int(node.line)),
                ("value", .string(node.value.map(FloatEncoding.format) ?? tensor.map { "\($0.shape) norm \(Self.number($0.valueStatistics.norm))" } ?? "")),
                ("grad", .string(node.grad.map(FloatEncoding.format) ?? tensor?.gradStatistics.map { "norm \(Self.number($0.norm))" } ?? "")),
                ("status", node.comparison.map { .string($0.status.rawValue) } ?? .null),
                ("tensor", node.idA.flatMap { tensors[$0] }.map(Self.tensorValue) ?? .null),
                ("explain", node.idA.flatMap { explanations[$0] }.map(Value.string) ?? .null),
                ("other", node.comparison.map { .string(($0.value.b.map(FloatEncoding.format) ?? "") + " / " + ($0.grad.b.map(FloatEncoding.format) ?? "")) } ?? .null),
            ])
        }
        let edges: [Value] = picture.edges.map {
            .array([.int(Int64($0.from)), .int(Int64($0.to)), .string($0.localGrad.map(FloatEncoding.format) ?? "")])
        }
        let outputIndex = picture.nodes.firstIndex { $0.idA == output } ?? picture.nodes.count - 1
        let data = Value.object([
            ("title", .string(title)), ("nodes", .array(nodes)), ("edges", .array(edges)), ("output", .int(Int64(outputIndex))),
            ("firstValue", picture.firstValueDivergence.map { .int(Int64($0)) } ?? .null),
            ("firstGrad", picture.firstGradDivergence.map { .int(Int64($0)) } ?? .null),
            ("program", .string(program)),
        ]).json.replacing("</", with: "<\\/")
        var rows: [String] = []
        for (index, node) in zip(nodes.indices, picture.nodes).prefix(Self.tableLimit) {
            let label = node.name ?? "#\(node.idA ?? -1)"
            rows.append("<tr data-node=\"\(Self.escape(label))\" data-i=\"\(index)\"><td>\(node.idA.map(String.init) ?? "")</td><td>\(Self.escape(label))</td><td>\(node.op.name)</td>"
                + "<td class=\"value\">\(node.value.map(FloatEncoding.format) ?? "")</td><td class=\"grad\">\(node.grad.map(FloatEncoding.format) ?? "")</td><td>\(node.line)</td></tr>")
        }
        return Self.template
            .replacing("@TITLE@", with: Self.escape("gradlog report: " + title))
            .replacing("@ROWS@", with: rows.joined(separator: "\n"))
            .replacing("@DATA@", with: data)
            .replacing("@SCRIPT@", with: Self.script)
    }

    /// Shape, statistics lines, and the top-left corner of the first 2-D slice (rows of at most
    /// `heatmapSide` elements) of the value and the adjoint.
    static func tensorValue(_ t: RecordedTensor) -> Value {
        let columns = t.shape.dims.last ?? 1
        let rows = t.shape.rank >= 2 ? t.shape.dims[t.shape.rank - 2] : 1
        func corner(_ elements: [Double]?) -> Value {
            guard let elements else { return .null }
            return .array((0..<min(rows, heatmapSide)).map { r in
                .array((0..<min(columns, heatmapSide)).map { c in .float(elements[r * columns + c]) })
            })
        }
        return .object([
            ("shape", .string(t.shape.description)),
            ("value", .string(TensorText.statisticsLine(t.valueStatistics))),
            ("grad", .string(t.gradStatistics.map(TensorText.statisticsLine) ?? "none")),
            ("valueCorner", corner(t.value)), ("gradCorner", corner(t.grad)),
        ])
    }

    static func number(_ d: Double?) -> String { d.map(FloatEncoding.format) ?? "-" }

    static func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    static let template = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>@TITLE@</title>
        <style>
        body{font:13px/1.4 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:1fr 360px;grid-template-rows:auto 1fr auto;height:100vh}
        header{grid-column:1/3;padding:6px 10px;background:#24313f;color:#fff;display:flex;gap:10px;align-items:center}
        header button,header input{font:inherit}
        #graph{overflow:auto;border-right:1px solid #ccc}
        #panel{overflow:auto;padding:8px;background:#fafafa}
        #panel pre{white-space:pre-wrap;font-size:12px}
        #bottom{grid-column:1/3;display:grid;grid-template-columns:1fr 1fr;max-height:30vh;border-top:1px solid #ccc}
        #program,#table{overflow:auto;margin:0;padding:6px;font:12px monospace}
        #program .hl{background:#ffe58a}
        table{border-collapse:collapse}td{padding:0 6px}tr.sel{background:#ffe58a}
        .node rect{fill:#fff;stroke:#555;rx:6}.node text{font:11px sans-serif;pointer-events:none}
        .node.sel rect{stroke:#000;stroke-width:3}.node.step rect{fill:#ffd54f}.node.done rect{fill:#e3f2fd}
        .node.identical rect{fill:#e8f5e9}.node.within_tolerance rect{fill:#fff9c4}.node.different rect{fill:#ffcdd2}
        .node.only_in_a rect,.node.only_in_b rect{fill:#eeeeee;stroke-dasharray:4}
        .node.firstValue rect{stroke:#c0392b;stroke-width:4}.node.firstGrad rect{stroke:#e67e22;stroke-width:4}
        .edge{stroke:#999;fill:none}.edge.step{stroke:#e65100;stroke-width:3}
        </style></head><body>
        <header><b>@TITLE@</b>
        <input id="search" placeholder="node name or #id" size="16"><button id="go">find</button>
        <select id="mode"><option value="backward">backward pass</option><option value="forward">forward pass</option></select><button id="prev">&#9664; step</button><button id="next">step &#9654;</button><span id="stepinfo"></span></header>
        <div id="graph"></div>
        <div id="panel"><div id="details">Select a node.</div><pre id="explain"></pre></div>
        <div id="bottom"><pre id="program"></pre><div id="table"><table><tr><th>id</th><th>name</th><th>op</th><th>value</th><th>grad</th><th>line</th></tr>
        @ROWS@
        </table></div></div>
        <script type="application/json" id="data">@DATA@</script>
        <script>@SCRIPT@</script>
        </body></html>

        """

    static let script = """
        "use strict";
        const D = JSON.parse(document.getElementById("data").textContent);
        const N = D.nodes, n = N.length, LIMIT = 300;
        const ins = N.map(() => []), outs = N.map(() => []);
        D.edges.forEach(([f, t, d], k) => { ins[t].push(k); outs[f].push(k); });
        const layer = new Array(n).fill(0);
        for (let i = 0; i < n; i++) for (const k of ins[i]) layer[i] = Math.max(layer[i], layer[D.edges[k][0]] + 1);
        // Backward steps: from the output down, every node the output depends on that has an adjoint.
        const reach = new Array(n).fill(false); reach[D.output] = true;
        for (let i = n - 1; i >= 0; i--) if (reach[i]) for (const k of ins[i]) reach[D.edges[k][0]] = true;
        // Forward steps: every node in evaluation order, each reading its inputs (the same edges).
        const backward = []; for (let i = n - 1; i >= 0; i--) if (reach[i] && N[i].grad !== "") backward.push(i);
        const forward = N.map((_, i) => i);
        let steps = backward;
        let selected = D.output, step = -1;
        const programLines = D.program.split("\\n");
        const prog = document.getElementById("program");
        programLines.forEach((t, k) => { const s = document.createElement("div"); s.textContent = (k + 1) + "  " + t; s.id = "line" + (k + 1); prog.appendChild(s); });
        function visible() {
          if (n <= LIMIT) return N.map((_, i) => i);
          const seen = new Set([selected]); let front = [selected];
          for (let d = 0; d < 2; d++) { const next = []; for (const i of front) { for (const k of ins[i]) next.push(D.edges[k][0]); for (const k of outs[i]) next.push(D.edges[k][1]); }
            front = next.filter(j => !seen.has(j)); front.forEach(j => seen.add(j)); }
          return [...seen].sort((a, b) => a - b);
        }
        function draw() {
          const vis = visible(), pos = {}, perLayer = {};
          for (const i of vis) { const l = layer[i]; perLayer[l] = (perLayer[l] || 0) + 1; pos[i] = [l, perLayer[l] - 1]; }
          const layers = [...new Set(vis.map(i => layer[i]))].sort((a, b) => a - b), lx = {}; layers.forEach((l, k) => lx[l] = k);
          const W = 210, H = 56, w = layers.length * W + 40, h = Math.max(...Object.values(perLayer)) * H + 40;
          const xy = i => [20 + lx[pos[i][0]] * W, 20 + pos[i][1] * H];
          let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`;
          const active = step >= 0 ? steps[step] : -1;
          D.edges.forEach(([f, t, d]) => { if (!(f in pos && t in pos)) return; const [x1, y1] = xy(f), [x2, y2] = xy(t);
            s += `<path class="edge${t === active ? " step" : ""}" d="M${x1 + 180},${y1 + 20} C${x1 + 195},${y1 + 20} ${x2 - 15},${y2 + 20} ${x2},${y2 + 20}"><title>${esc(d)}</title></path>`; });
          for (const i of vis) { const [x, y] = xy(i), v = N[i];
            const cls = ["node", v.status || "", i === selected ? "sel" : "", i === active ? "step" : "", step >= 0 && steps.indexOf(i) >= 0 && steps.indexOf(i) < step ? "done" : "",
                         i === D.firstValue ? "firstValue" : "", i === D.firstGrad ? "firstGrad" : ""].join(" ");
            s += `<g class="${cls}" data-i="${i}" transform="translate(${x},${y})"><rect width="180" height="40"></rect>` +
                 `<text x="6" y="14">${esc(v.label)} (${esc(v.op)})</text><text x="6" y="27">${esc(v.value)}</text><text x="6" y="38">grad ${esc(v.grad)}</text></g>`; }
          document.getElementById("graph").innerHTML = s + "</svg>";
          document.querySelectorAll(".node").forEach(g => g.addEventListener("click", () => select(+g.dataset.i)));
          const fwd = steps === forward;
          document.getElementById("stepinfo").textContent = step < 0 ? `${steps.length} ${fwd ? "forward" : "backward"} steps`
            : `${fwd ? "forward" : "backward"} step ${step + 1} of ${steps.length}: ${N[steps[step]].label} ${fwd ? "reads its inputs" : "passes its adjoint on"}`;
        }
        function esc(t) { return String(t).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]); }
        function explain(i) {
          const v = N[i], out = N[D.output].label;
          if (i === D.output) return `${v.label} is the output: its adjoint is 1 by definition.`;
          if (v.grad === "") return `${v.label} has no adjoint stored (data, or not needed).`;
          if (v.tensor) return `${v.label} is a tensor: gradlog explain RUN ${v.label} shows its chain rule.`;
          const lines = [`d(${out})/d(${v.label}) = sum over consumers C of d(${out})/d(C) × d(C)/d(${v.label})`];
          let sum = null;
          for (const k of [...outs[i]].sort((a, b) => D.edges[b][1] - D.edges[a][1])) {
            const [f, t, d] = D.edges[k], c = N[t];
            if (!reach[t] || c.grad === "") { lines.push(`  ${c.label}: not passed on`); continue; }
            const p = Number(c.grad) * Number(d); sum = sum === null ? p : sum + p;
            lines.push(`  ${c.label} (${c.op}): ${c.grad} × ${d} = ${p}`);
          }
          const stored = Number(v.grad);
          lines.push(`sum = ${sum === null ? 0 : sum}; stored ${v.grad}: ${Object.is(sum === null ? 0 : sum, stored) || (sum === null && stored === 0) ? "equal" : "differs"}`);
          return lines.join("\\n");
        }
        // A small heatmap of a tensor's corner: blue below 0, red above, scaled by the largest |x|.
        function heatmap(rows) {
          if (!rows) return "(elements not kept)";
          const flat = rows.flat().map(x => typeof x === "number" ? x : NaN), m = Math.max(1e-300, ...flat.filter(isFinite).map(Math.abs));
          const c = 8; let s = `<svg class="heatmap" width="${rows[0].length * c}" height="${rows.length * c}">`;
          rows.forEach((r, y) => r.forEach((x, k) => { const t = typeof x === "number" && isFinite(x) ? x / m : 0, a = Math.round(255 * (1 - Math.abs(t)));
            const fill = typeof x !== "number" || !isFinite(x) ? "#000" : t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
            s += `<rect x="${k * c}" y="${y * c}" width="${c}" height="${c}" fill="${fill}"><title>${x}</title></rect>`; }));
          return s + "</svg>";
        }
        function select(i) {
          selected = i; const v = N[i];
          const inputs = ins[i].map(k => `${N[D.edges[k][0]].label} (d = ${D.edges[k][2]})`).join(", ") || "none";
          document.getElementById("details").innerHTML = `<h3>${esc(v.label)}</h3><p>op <b>${esc(v.op)}</b>, line ${v.line}<br>inputs: ${esc(inputs)}<br>` +
            `value <span class="value">${esc(v.value)}</span><br>adjoint <span class="grad">${esc(v.grad)}</span>` +
            (v.tensor ? `<br>shape ${esc(v.tensor.shape)}<br>value: ${esc(v.tensor.value)}<br>${heatmap(v.tensor.valueCorner)}` +
                        `<br>adjoint: ${esc(v.tensor.grad)}<br>${heatmap(v.tensor.gradCorner)}` : "") +
            (v.status ? `<br>comparison: ${esc(v.status)} (other run: ${esc(v.other)})` : "") +
            (i === D.firstValue ? "<br><b>first value divergence</b>" : "") + (i === D.firstGrad ? "<br><b>first grad divergence</b>" : "") + `</p>`;
          document.getElementById("explain").textContent = v.explain !== null ? v.explain : explain(i);
          document.querySelectorAll("#program .hl").forEach(e => e.classList.remove("hl"));
          const line = document.getElementById("line" + v.line); if (line) line.classList.add("hl");
          document.querySelectorAll("tr.sel").forEach(e => e.classList.remove("sel"));
          const row = document.querySelector(`tr[data-i="${i}"]`); if (row) row.classList.add("sel");
          draw();
          const shown = document.querySelector(".node.sel"); if (shown) shown.scrollIntoView({block: "nearest", inline: "center"});
        }
        function go(k) { step = Math.max(-1, Math.min(steps.length - 1, k)); if (step >= 0) select(steps[step]); else draw(); }
        document.getElementById("mode").onchange = e => { steps = e.target.value === "forward" ? forward : backward; go(-1); };
        document.getElementById("next").onclick = () => go(step + 1);
        document.getElementById("prev").onclick = () => go(step - 1);
        document.addEventListener("keydown", e => { if (e.target.tagName === "INPUT") return; if (e.key === "ArrowRight") go(step + 1); if (e.key === "ArrowLeft") go(step - 1); });
        function find() { const q = document.getElementById("search").value.trim();
          const i = q.startsWith("#") ? N.findIndex(v => v.id === Number(q.slice(1))) : N.map(v => v.label).lastIndexOf(q);
          if (i >= 0) select(i); }
        document.getElementById("go").onclick = find;
        document.getElementById("search").addEventListener("keydown", e => { if (e.key === "Enter") find(); });
        document.querySelectorAll("tr[data-i]").forEach(r => r.addEventListener("click", () => select(+r.dataset.i)));
        select(D.output);
        const stepFlag = location.hash.match(/^#step=([0-9]+)$/);  // open at a backward step: report.html#step=4
        if (stepFlag) go(Number(stepFlag[1]) - 1);
        const nodeFlag = location.hash.match(/^#node=(.+)$/);  // open at a node: report.html#node=W1
        if (nodeFlag) { const j = N.map(v => v.label).lastIndexOf(decodeURIComponent(nodeFlag[1])); if (j >= 0) select(j); }
        if (location.hash === "#test") {
          const order = []; go(-1);
          for (let k = 0; k < steps.length; k++) { go(k); const a = document.querySelector(".node.step"); order.push(a ? N[+a.dataset.i].label : "?"); }
          const pre = document.createElement("pre"); pre.id = "test-order"; pre.textContent = order.join(" "); document.body.appendChild(pre);
          steps = forward; const fo = [];
          for (let k = 0; k < steps.length; k++) { go(k); const a = document.querySelector(".node.step"); fo.push(a ? N[+a.dataset.i].label : "?"); }
          const pf = document.createElement("pre"); pf.id = "test-forward-order"; pf.textContent = fo.join(" "); document.body.appendChild(pf);
          steps = backward;
          go(-1); select(D.output);
        }
        """
}
