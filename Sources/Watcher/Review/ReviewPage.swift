/// The review page: one HTML document with its CSS and JavaScript inline (allowed
/// by the nonce in the Content-Security-Policy), nothing loaded from anywhere else.
/// Every name from the archive reaches the page through `textContent` and
/// `setAttribute`, never as HTML.
enum ReviewPage {
    static func html(token: String, nonce: String) -> String {
        template.replacingPlaceholder("{{TOKEN}}", with: token).replacingPlaceholder("{{NONCE}}", with: nonce)
    }

    private static let template = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="watcher-token" content="{{TOKEN}}">
    <title>watcher review</title>
    <style nonce="{{NONCE}}">
    :root { --ink: #1d2327; --muted: #5f6b73; --line: #d7dde1; --paper: #f6f7f8; --alert: #c62828; --ok: #2e7d32; --accent: #1565c0; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
    header { padding: 14px 20px; background: #fff; border-bottom: 1px solid var(--line); }
    header h1 { margin: 0; font-size: 19px; }
    header p { margin: 2px 0 0; color: var(--muted); font-size: 13px; word-break: break-all; }
    main { padding: 12px 20px 40px; }
    section.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
    h2 { font-size: 16px; margin: 0 0 8px; }
    .cameras { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px; }
    .camera { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
    .camera h3 { margin: 0 0 4px; font-size: 15px; }
    .camera .now { margin: 0 0 6px; font-size: 13px; color: var(--muted); }
    .verdict-alert { color: var(--alert); font-weight: 600; }
    .verdict-clear { color: var(--ok); font-weight: 600; }
    svg.timeline { width: 100%; height: 110px; background: var(--paper); border-radius: 4px; }
    .spans button, .toolbar button, .crop button, .more { font: inherit; font-size: 13px; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 3px 8px; cursor: pointer; }
    .spans button[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }
    .toolbar { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    .toolbar button.primary { background: var(--accent); border-color: var(--accent); color: #fff; padding: 6px 14px; }
    .toolbar button:disabled { opacity: 0.5; cursor: default; }
    #status { color: var(--muted); font-size: 13px; }
    #status.error { color: var(--alert); }
    table.result { border-collapse: collapse; margin: 10px 0 4px; font-size: 13px; }
    table.result th, table.result td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; }
    table.result th:first-child, table.result td:first-child { text-align: left; }
    .matrices { display: flex; gap: 24px; flex-wrap: wrap; }
    .folder h2 .count { color: var(--muted); font-weight: normal; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 8px; }
    figure.crop { margin: 0; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
    figure.crop img { display: block; width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: 3px; background: #ddd; }
    figure.crop figcaption { font-size: 12px; color: var(--muted); margin: 3px 0; }
    figure.crop .actions { display: flex; gap: 4px; flex-wrap: wrap; }
    figure.crop.moving { opacity: 0.4; }
    .empty { color: var(--muted); font-size: 13px; }
    </style>
    </head>
    <body>
    <header>
      <h1>watcher review</h1>
      <p id="summary">loading…</p>
    </header>
    <main>
      <section class="panel" id="cameras-panel">
        <div class="toolbar"><h2>Cameras</h2><span class="spans"><button id="span-day" aria-pressed="true">last day</button> <button id="span-week" aria-pressed="false">last week</button></span><span id="timeline-source" class="empty"></span></div>
        <div class="cameras" id="cameras"></div>
      </section>
      <section class="panel" id="learn-panel">
        <div class="toolbar">
          <h2>Teach it your door</h2>
          <button class="primary" id="learn-button">Learn</button>
          <button id="install-button" disabled>Use this model</button>
          <span id="status">Sort the crops below (a click moves one to the other label), then Learn: the model's last layer is retrained on them.</span>
        </div>
        <div id="learn-result"></div>
      </section>
      <div id="folders"></div>
    </main>
    <script nonce="{{NONCE}}">
    "use strict";
    const token = document.querySelector('meta[name="watcher-token"]').content;
    let overview = null;
    let span = 86400000;

    function el(tag, attributes, text) {
      const node = document.createElement(tag);
      for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
      if (text !== undefined) node.textContent = text;
      return node;
    }
    function svg(tag, attributes) {
      const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
      for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
      return node;
    }
    async function api(path, body) {
      const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json", "X-Watcher-Token": token }, body: JSON.stringify(body) };
      const response = await fetch(path, options);
      let answer = {};
      try { answer = await response.json(); } catch (e) { answer = {}; }
      if (!response.ok) throw new Error(answer.error || (response.status + " " + response.statusText));
      return answer;
    }
    function percent(p) { return p === null || p === undefined ? "?" : (Math.round(p * 1000) / 10).toFixed(1) + "%"; }
    function when(ms) { return ms ? new Date(ms).toLocaleString() : ""; }
    function brief(ms) { return ms ? new Date(ms).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : ""; }
    function status(text, isError) {
      const node = document.getElementById("status");
      node.textContent = text;
      node.className = isError ? "error" : "";
    }

    function renderSummary() {
      document.getElementById("summary").textContent = "archive " + overview.archive + " · model " + overview.model +
        " (" + overview.modelLabels.join(", ") + ") · alert label " + overview.alertLabel;
    }

    function renderCameras() {
      const box = document.getElementById("cameras");
      box.replaceChildren();
      const timeline = overview.timeline;
      const source = { history: "from the watcher's history", archive: "from the archive's crops (no history found)", none: "no history and no archived crops yet" };
      document.getElementById("timeline-source").textContent = "alert probability, " + source[timeline.source];
      if (timeline.cameras.length === 0) box.append(el("p", { class: "empty" }, "No camera state in the state folder yet."));
      for (const camera of timeline.cameras) {
        const card = el("div", { class: "camera" });
        card.append(el("h3", {}, camera.name));
        const now = el("p", { class: "now" });
        const check = camera.state && camera.state.lastCheck;
        if (check) {
          now.append("last check " + when(check.time) + ": " + check.label + " " + percent(check.probability) + " ");
          now.append(el("span", { class: "verdict-" + check.verdict }, "[" + check.verdict + "]"));
          if (camera.state.openSince) now.append(" · open since " + when(camera.state.openSince));
          if (camera.state.pendingMessages) now.append(" · " + camera.state.pendingMessages + " message(s) waiting");
        } else {
          now.textContent = "no state file";
        }
        card.append(now, timelineSVG(camera.points));
        box.append(card);
      }
    }

    function timelineSVG(points) {
      const width = 600, height = 110, top = 6, bottom = 96;
      const end = overview.now, start = end - span;
      const x = t => ((t - start) / span) * width, y = p => bottom - p * (bottom - top);
      const chart = svg("svg", { class: "timeline", viewBox: "0 0 " + width + " " + height, preserveAspectRatio: "none", role: "img" });
      chart.append(el("title", {}, "alert probability over the " + (span > 86400000 ? "last week" : "last day")));
      for (const [p, colour] of [[overview.threshold, "#c62828"], [overview.clearBelow, "#2e7d32"]]) {
        chart.append(svg("line", { x1: 0, x2: width, y1: y(p), y2: y(p), stroke: colour, "stroke-dasharray": "4 4", "stroke-width": 1 }));
      }
      const shown = points.filter(point => point[0] >= start);
      const line = shown.filter(point => point[1] !== null).map(point => x(point[0]).toFixed(1) + "," + y(point[1]).toFixed(1));
      if (line.length) chart.append(svg("polyline", { points: line.join(" "), fill: "none", stroke: "#1565c0", "stroke-width": 1.5 }));
      for (const point of shown) {
        if (point[1] === null) chart.append(svg("rect", { x: x(point[0]) - 1, y: bottom + 4, width: 2, height: 8, fill: "#c62828" }));
        else if (point[2] === "alert") chart.append(svg("circle", { cx: x(point[0]), cy: y(point[1]), r: 2.5, fill: "#c62828" }));
      }
      if (!shown.length) {
        const text = svg("text", { x: 8, y: 56, fill: "#5f6b73", "font-size": 13 });
        text.textContent = "nothing in this period";
        chart.append(text);
      }
      return chart;
    }

    function cropFigure(folder, crop) {
      const figure = el("figure", { class: "crop", "data-folder": folder, "data-name": crop.name });
      figure.append(el("img", { src: "/crops/" + encodeURIComponent(folder) + "/" + encodeURIComponent(crop.name), alt: crop.name, loading: "lazy", title: crop.name }));
      const caption = [crop.probability !== null ? percent(crop.probability) : null, overview.cameraCount > 1 ? crop.camera : null, brief(crop.time)].filter(Boolean).join(" · ");
      figure.append(el("figcaption", { title: "the model's confidence when it was archived, and when" }, caption));
      const actions = el("div", { class: "actions" });
      for (const label of overview.targets) {
        if (label === folder) continue;
        const button = el("button", { class: "move", "data-to": label, title: "move to " + label + "/" }, "→ " + label);
        button.addEventListener("click", () => move(figure, label));
        actions.append(button);
      }
      figure.append(actions);
      return figure;
    }

    function folderSection(page) {
      const section = el("section", { class: "panel folder", "data-folder": page.name });
      const heading = el("h2", {}, page.name === "unsure" ? "unsure: sort these " : page.name + " ");
      heading.append(el("span", { class: "count" }, "(" + page.total + ")"));
      const grid = el("div", { class: "grid" });
      for (const crop of page.crops) grid.append(cropFigure(page.name, crop));
      section.append(heading, grid);
      if (!page.crops.length) section.append(el("p", { class: "empty" }, "no crops"));
      if (page.offset + page.crops.length < page.total) {
        const more = el("button", { class: "more" }, "show more");
        more.addEventListener("click", async () => {
          more.disabled = true;
          try {
            const next = await api("/api/crops?folder=" + encodeURIComponent(page.name) + "&offset=" + grid.children.length);
            for (const crop of next.crops) grid.append(cropFigure(page.name, crop));
            if (grid.children.length >= next.total) more.remove(); else more.disabled = false;
          } catch (error) { status(error.message, true); more.disabled = false; }
        });
        section.append(more);
      }
      return section;
    }

    function renderFolders() {
      const box = document.getElementById("folders");
      box.replaceChildren();
      for (const page of overview.folders) box.append(folderSection(page));
    }

    function sectionFor(folder) {
      let section = document.querySelector('section.folder[data-folder="' + CSS.escape(folder) + '"]');
      if (!section) {
        section = folderSection({ name: folder, total: 0, offset: 0, crops: [] });
        document.getElementById("folders").append(section);
      }
      return section;
    }

    function bumpCount(section, delta) {
      const count = section.querySelector(".count");
      const value = parseInt(count.textContent.slice(1), 10) + delta;
      count.textContent = "(" + value + ")";
    }

    async function move(figure, label) {
      const folder = figure.dataset.folder, name = figure.dataset.name;
      figure.classList.add("moving");
      try {
        await api("/api/move", { folder: folder, name: name, to: label });
        const from = figure.closest("section.folder");
        figure.remove();
        bumpCount(from, -1);
        const target = sectionFor(label);
        const crop = { name: name, probability: null, camera: null, time: 0 };
        const caption = figure.querySelector("figcaption").textContent;
        const moved = cropFigure(label, crop);
        moved.querySelector("figcaption").textContent = caption;
        target.querySelector(".grid").prepend(moved);
        const empty = target.querySelector(".empty");
        if (empty) empty.remove();
        bumpCount(target, 1);
        status("moved " + name + " to " + label + "/");
      } catch (error) {
        figure.classList.remove("moving");
        status("could not move " + name + ": " + error.message, true);
      }
    }

    function matrixTable(title, evaluation, rows) {
      const table = el("table", { class: "result matrix" });
      const caption = el("caption", {}, title);
      table.append(caption);
      const head = el("tr");
      head.append(el("th", {}, "folder ↓ / said →"));
      for (const column of evaluation.columns) head.append(el("th", {}, column));
      table.append(head);
      evaluation.confusion.forEach((counts, index) => {
        const row = el("tr");
        row.append(el("td", {}, rows[index]));
        for (const count of counts) row.append(el("td", {}, String(count)));
        table.append(row);
      });
      return table;
    }

    function renderCandidate(result) {
      const box = document.getElementById("learn-result");
      box.replaceChildren();
      const install = document.getElementById("install-button");
      install.disabled = true;
      if (!result) return;
      const table = el("table", { class: "result" });
      const head = el("tr");
      head.append(el("th", {}, "held-out crops (" + result.folds + "-fold)"), el("th", {}, "current head"), el("th", {}, "new head"));
      const row = el("tr");
      row.append(el("td", {}, "accuracy"),
        el("td", { id: "current-accuracy" }, percent(result.current.accuracy) + " (" + result.current.correct + "/" + result.current.total + ")"),
        el("td", { id: "new-accuracy" }, percent(result.new.accuracy) + " (" + result.new.correct + "/" + result.new.total + ")"));
      table.append(head, row);
      const matrices = el("div", { class: "matrices" });
      /* A head with many labels (an ImageNet network) is shown by its new matrix alone. */
      if (result.current.columns.length <= 8) matrices.append(matrixTable("current head", result.current, result.labels));
      matrices.append(matrixTable("new head", result.new, result.labels));
      box.append(table, matrices);
      if (result.refusal) {
        box.append(el("p", { class: "empty", id: "refusal" }, "Not offered: " + result.refusal + "."));
      } else if (!overview.canInstall) {
        box.append(el("p", { class: "empty" }, "Start the review with --model to install from here; or run watcher learn."));
      } else {
        install.disabled = false;
      }
    }

    async function learn() {
      const button = document.getElementById("learn-button");
      button.disabled = true;
      document.getElementById("install-button").disabled = true;
      status("learning: embedding every sorted crop and training the last layer…");
      try {
        const result = await api("/api/learn", {});
        overview.candidate = result;
        renderCandidate(result);
        status("held-out accuracy: current head " + percent(result.current.accuracy) + ", new head " + percent(result.new.accuracy) +
          (result.refusal ? "; the new head is not better." : "; press Use this model to install it."));
      } catch (error) {
        status("could not learn: " + error.message, true);
      } finally {
        button.disabled = false;
      }
    }

    async function install() {
      const button = document.getElementById("install-button");
      button.disabled = true;
      try {
        const done = await api("/api/install", {});
        status("installed " + done.model + (done.modelBackup ? "; the previous model is kept as " + done.modelBackup : "") + ".");
        document.getElementById("learn-result").replaceChildren();
        await load();
      } catch (error) {
        status("could not install: " + error.message, true);
        button.disabled = false;
      }
    }

    async function load() {
      overview = await api("/api/overview");
      overview.cameraCount = new Set(overview.folders.flatMap(page => page.crops.map(crop => crop.camera))).size;
      renderSummary();
      renderCameras();
      renderFolders();
      renderCandidate(overview.candidate);
    }

    for (const [id, value] of [["span-day", 86400000], ["span-week", 7 * 86400000]]) {
      document.getElementById(id).addEventListener("click", () => {
        span = value;
        document.getElementById("span-day").setAttribute("aria-pressed", String(value === 86400000));
        document.getElementById("span-week").setAttribute("aria-pressed", String(value !== 86400000));
        renderCameras();
      });
    }
    document.getElementById("learn-button").addEventListener("click", learn);
    document.getElementById("install-button").addEventListener("click", install);
    load().catch(error => status("could not load: " + error.message, true));
    </script>
    </body>
    </html>
    """#
}

private extension String {
    /// Every occurrence of `placeholder` replaced (no Foundation).
    func replacingPlaceholder(_ placeholder: String, with value: String) -> String {
        split(separator: placeholder, omittingEmptySubsequences: false).joined(separator: value)
    }
}
