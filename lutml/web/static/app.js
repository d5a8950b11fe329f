// lutml web UI: plain JavaScript, served by the app itself (no CDN, no framework).
"use strict";

const $ = (sel) => document.querySelector(sel);
const HALD = ["16", "36", "64"];
const SIZES = ["17", "33", "65"];
const state = {
  looks: [],        // this session's looks and results: {token, name, kind, view, info, raw}
  current: null,    // the one shown
  frames: [],       // footage frames: {token, name, width, height, preview_width, preview_height}
  frame: "ref",     // "ref" or a footage token
  compare: "",      // token of a look to compare with ("" = before)
  want: null, shown: null, loading: false,
  job: null, xhr: null,
};

function setMode(mode) {
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  for (const form of document.querySelectorAll(".mode-form")) form.hidden = form.dataset.mode !== mode;
  for (const el of document.querySelectorAll(".look-only")) el.hidden = mode !== "look";
  showMessage("");
  showSkipped([], "");
}

function showMessage(text) {
  const box = $("#message");
  box.textContent = text;
  box.hidden = !text;
}

function showSkipped(list, what) {
  const box = $("#skipped");
  box.replaceChildren();
  box.hidden = !list || !list.length;
  if (box.hidden) return;
  const head = document.createElement("p");
  head.textContent = `${list.length} ${what} skipped:`;
  const ul = document.createElement("ul");
  for (const s of list.slice(0, 20)) {
    const li = document.createElement("li");
    li.textContent = s.reason;
    ul.appendChild(li);
  }
  if (list.length > 20) {
    const li = document.createElement("li");
    li.textContent = `… and ${list.length - 20} more`;
    ul.appendChild(li);
  }
  box.append(head, ul);
}

function busy(on, text) {
  $("#busy").hidden = !on;
  if (text) $("#busy-text").textContent = text;
  for (const b of document.querySelectorAll("button[type=submit]")) {
    b.disabled = on || (b.form && b.form.dataset.mode === "grade" && !$("#model"));
  }
}

function pct(id) {
  const el = $(`#${id}`);
  return el ? (Number(el.value) / 100).toFixed(2) : "1.00";
}

function settingsQuery() {
  let q = `strength=${pct("strength")}`;
  for (const k of ["tone", "saturation", "cast"]) if ($(`#${k}`) && pct(k) !== "1.00") q += `&${k}=${pct(k)}`;
  return q;
}

function describe(r) {
  const info = r.info;
  const mode = info.mode === "match" ? "Matched before → after" : `Look: ${info.model}${info.reverse ? " (reverse)" : ""}`;
  const depth = `${r.bit_depth}-bit${r.alpha ? " + alpha" : ""}`;
  const fit = info.fit_de00 == null ? "" : ` · ${info.robust ? "robust " : ""}fit ΔE00 ${info.fit_de00.toFixed(2)}`;
  const note = info.source_note ? ` · ${info.source_note}` : "";
  return `${mode} · ${info.size}³ LUT${fit} · source ${r.width}×${r.height} ${depth} · preview ${r.preview_width}×${r.preview_height}${note}`;
}

function describeLook(look) {
  const info = look.info;
  const t = info.timings || {};
  const times = t.total_s == null ? "" : ` · read ${t.read_s.toFixed(1)} s, estimate ${t.estimate_s.toFixed(1)} s, neutral reading ${t.neutral_s.toFixed(1)} s`;
  const skipped = info.skipped ? ` · ${info.skipped} file(s) skipped` : "";
  const v = info.video;
  const what = v
    ? `${v.frames} frame(s) of the video ${v.name} (${v.width}×${v.height}, ${clock(v.duration_s)}, sampled ${v.fps_sampled} a second)`
    : `${info.n_stills} still(s)`;
  return `Look of ${what} by ${info.model} · ${info.size}³ lattice${skipped}${times}`;
}

function clock(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const VIDEO_SUFFIX = /\.(mp4|m4v|mov|qt|mkv|webm|avi|mpe?g|m2v|ts|mts|m2ts|mxf|flv|ogv|3gp|wmv)$/i;

function isVideo(file) {
  return file.type.startsWith("video/") || VIDEO_SUFFIX.test(file.name);
}

function showCoverage(look) {
  const info = look.info;
  const cov = info.coverage || {};
  $("#coverage").classList.toggle("warn", Boolean(info.warning));
  $("#coverage-bar").style.width = cov.regions == null ? "0" : `${Math.round(cov.regions * 100)}%`;
  // the coverage figure always; the warnings after it (they used to replace it)
  const figure = cov.note || "This model predicts the LUT directly, so there is no fit coverage to report.";
  $("#coverage-text").textContent = info.warning ? `${figure} ${info.warning}` : figure;
  const url = look.raw && look.raw.coverage_url;
  $("#coverage-details").hidden = !url;
  if (url) $("#coverage-img").src = url;
}

const LEVEL_CLASS = { "sure": "sure", "fairly sure": "fair", "unsure": "unsure" };

function showConfidence(look) {
  const box = $("#confidence");
  box.replaceChildren();
  const conf = look.info.confidence;
  // looks, and one frame read by a look model (its result carries the same report)
  if (look.kind !== "look" && !(conf && conf.length)) { box.hidden = true; return; }
  box.hidden = false;
  const head = document.createElement("h2");
  head.textContent = "How sure the model is";
  box.appendChild(head);
  if (!conf || !conf.length) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "This model does not rate its own confidence yet; what is known is the coverage and the warnings below.";
    box.appendChild(p);
    return;
  }
  const ul = document.createElement("ul");
  for (const c of conf) {
    const li = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = c.component === "cast" ? "Colour cast" : c.component[0].toUpperCase() + c.component.slice(1);
    const level = document.createElement("span");
    level.className = `level ${LEVEL_CLASS[c.level] || ""}`;
    level.textContent = c.level;
    const why = document.createElement("span");
    why.className = "why";
    // how much of the raw estimate is applied: the CLI prints it too ("applied at 60% ...")
    const applied = c.strength == null ? "" : `applied at ${Math.round(c.strength * 100)} % of the estimate`;
    why.textContent = [c.why, applied].filter(Boolean).join(" · ");
    li.append(name, level, why);
    ul.appendChild(li);
  }
  box.appendChild(ul);
  const lines = look.info.trust || [];
  if (lines.length) {
    // the verdict, then the 80 % intervals (the lines that start with spaces)
    const verdict = document.createElement("p");
    verdict.className = "verdict";
    verdict.textContent = lines[0][0].toUpperCase() + lines[0].slice(1) + ".";
    box.appendChild(verdict);
    const intervals = lines.filter((l) => l.startsWith("  ")).map((l) => l.trim());
    if (intervals.length) {
      const list = document.createElement("ul");
      list.className = "intervals";
      for (const text of intervals) {
        const li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      }
      box.appendChild(list);
    }
  }
}

// --- gallery, frames, compare ---------------------------------------------------------------

function chip(label, pressed, onClick, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "chip";
  b.textContent = label;
  if (title) b.title = title;
  b.setAttribute("aria-pressed", String(pressed));
  b.addEventListener("click", onClick);
  return b;
}

function renderGallery() {
  const g = $("#gallery");
  g.replaceChildren(...state.looks.map((l) => chip(l.name, state.current === l, () => select(l), l.kind === "look" ? (l.info.video ? `${l.info.n_stills} frame(s) of ${l.info.video.name}` : `${l.info.n_stills} still(s)`) : l.info.mode)));
  const sel = $("#compare-with");
  const keep = state.compare;
  sel.replaceChildren(new Option("no look (before)", ""));
  for (const l of state.looks) if (l !== state.current) sel.appendChild(new Option(l.name, l.token));
  state.compare = [...sel.options].some((o) => o.value === keep) ? keep : "";
  sel.value = state.compare;
}

function renderFrames() {
  const f = $("#frames");
  const cur = state.current;
  const refLabel = cur && cur.kind === "look" ? "Reference (neutral reading)" : "Uploaded frame";
  const chips = [chip(refLabel, state.frame === "ref", () => selectFrame("ref"))];
  for (const fr of state.frames) chips.push(chip(fr.name, state.frame === fr.token, () => selectFrame(fr.token), `${fr.width}×${fr.height}`));
  f.replaceChildren(...chips);
}

function select(look) {
  state.current = look;
  if (state.compare === look.token) state.compare = "";
  $("#placeholder").hidden = true;
  $("#result").hidden = false;
  renderGallery();
  renderFrames();
  showCoverage(look);
  showConfidence(look);
  // a match or one-frame result downloads at the LUT size its form asked for
  const size = String(look.info.size || "");
  if (look.kind !== "look" && $("#export-format").value !== "png" && SIZES.includes(size)) {
    $("#export-size").value = size;
  }
  $("#facts").textContent = look.kind === "look" ? describeLook(look) : describe(look.raw);
  refresh(true);
}

function selectFrame(token) {
  state.frame = token;
  renderFrames();
  refresh(true);
}

function addLook(look) {
  state.looks.push(look);
  // a new result is shown as it came (100 %), not at the sliders left from the last one
  $("#strength").value = 100;
  for (const el of document.querySelectorAll(".component")) el.value = 100;
  select(look);
}

function frameSize() {
  const cur = state.current;
  if (state.frame !== "ref") {
    const fr = state.frames.find((x) => x.token === state.frame);
    if ($("#full-res").checked) return [fr.width, fr.height];
    return [fr.preview_width, fr.preview_height];
  }
  if (cur.kind === "look") return [cur.ref_width, cur.ref_height];
  if ($("#full-res").checked) return [cur.raw.width, cur.raw.height];
  return [cur.raw.preview_width, cur.raw.preview_height];
}

function frameName() {
  if (state.frame === "ref") return state.current.kind === "look" ? "the model's neutral reading of the first still" : "the uploaded frame";
  return state.frames.find((x) => x.token === state.frame).name;
}

// Everything shown depends on (look, frame, sliders, compare, full): one refresh for all.
function refresh(reset) {
  const cur = state.current;
  if (!cur) return;
  const full = $("#full-res").checked ? "&full=1" : "";
  const frame = `frame=${encodeURIComponent(state.frame)}`;
  const s = pct("strength");
  $("#strength-value").textContent = `${Math.round(s * 100)}%`;
  // looks are compared on a footage frame only: each look's own reference is another picture
  const onRef = state.frame === "ref";
  const cmp = $("#compare-with");
  cmp.disabled = onRef;
  cmp.title = onRef ? "Add your footage frames and choose one to compare looks on the same frame" : "";
  const other = onRef ? null : state.looks.find((l) => l.token === state.compare);
  $("#after-caption").textContent = other ? `A: ${cur.name} ${Math.round(s * 100)}%` : `${Math.round(s * 100)}%`;
  for (const k of ["tone", "saturation", "cast"]) if ($(`#${k}`)) $(`#${k}-value`).textContent = `${Math.round(pct(k) * 100)}%`;
  let beforeUrl;
  let beforeLabel;
  if (other) {
    beforeUrl = `${other.view}/after.jpg?${frame}${full}`;
    beforeLabel = `B: ${other.name}`;
  } else {
    beforeUrl = `${cur.view}/before.jpg?${frame}${full}`;
    beforeLabel = state.frame === "ref" && cur.kind === "look" ? "Before (neutral reading)" : "Before";
  }
  $("#before-caption").textContent = beforeLabel;
  $("#wipe-before-tag").textContent = beforeLabel;
  const [w, h] = frameSize();
  for (const el of document.querySelectorAll(".before-img, .after-img")) { el.width = w; el.height = h; }
  for (const el of document.querySelectorAll(".before-img")) if (el.dataset.url !== beforeUrl) { el.src = beforeUrl; el.dataset.url = beforeUrl; }
  $("#before-img").alt = `${beforeLabel}: ${frameName()}`;
  $("#after-img").alt = `After: ${frameName()} with the look ${cur.name}`;
  updateDownloads();
  if (reset) state.shown = null;
  state.want = { url: `${cur.view}/after.jpg?${frame}&${settingsQuery()}${full}`, strength: s };
  pump();
}

function updateDownloads() {
  const cur = state.current;
  const fmt = $("#export-format").value;
  const size = $("#export-size").value;
  const space = $("#export-space").value;
  $("#download-cube").href = `${cur.view}/lut?format=${fmt}&size=${size}&space=${encodeURIComponent(space)}&${settingsQuery()}`;
  $("#download-cube").textContent = `Download ${fmt === "png" ? "Hald .png" : "." + fmt}`;
  // a camera space's shaper does not fit these formats: say so before the download, not never
  $("#export-note").hidden = !(space && (fmt === "3dl" || fmt === "png"));
  const canGrade = state.frame !== "ref" || cur.kind !== "look";
  const img = $("#download-image");
  img.hidden = !canGrade;
  img.href = `${cur.view}/graded.png?frame=${encodeURIComponent(state.frame)}&${settingsQuery()}`;
}

function syncSizes() {
  const fmt = $("#export-format").value;
  const sel = $("#export-size");
  const old = sel.value;
  const sizes = fmt === "png" ? HALD : SIZES;
  sel.replaceChildren(...sizes.map((s) => new Option(fmt === "png" ? `${s}³ (Hald level ${Math.round(Math.sqrt(s))})` : `${s}³`, s)));
  sel.value = sizes.includes(old) ? old : sizes[fmt === "png" ? 2 : 1];
}

// The sliders can move faster than the server answers: at most one preview request is in
// flight; when it lands, the latest wanted one is fetched next (intermediate ones skipped).
function pump() {
  if (state.loading || !state.want || (state.shown && state.want.url === state.shown.url)) return;
  const want = state.want;
  const img = new Image();
  state.loading = true;
  const t0 = performance.now();
  img.onload = () => {
    state.loading = false;
    for (const el of document.querySelectorAll(".after-img")) el.src = img.src;
    $("#after-img").dataset.strength = want.strength;
    $("#after-img").dataset.ms = String(Math.round(performance.now() - t0));
    state.shown = want;
    pump();
  };
  img.onerror = () => {
    state.loading = false;
    showMessage("Could not load the preview (the result may have expired); upload again.");
  };
  img.src = want.url;
}

// --- forms ------------------------------------------------------------------------------------

async function readJSON(resp) {
  try { return await resp.json(); } catch { return null; }
}

async function submitForm(event) {
  event.preventDefault();
  const form = event.currentTarget;
  if (form.dataset.mode === "look") return submitLook(form);
  const limit = Number(document.body.dataset.maxBytes);
  let total = 0;
  for (const input of form.querySelectorAll("input[type=file]")) {
    if (!input.files.length) return showMessage(`Choose a ${input.name === "frame" ? "frame" : input.name + " image"} to upload.`);
    total += input.files[0].size;
  }
  if (total > limit) {
    return showMessage(`The upload is ${(total / 1048576).toFixed(1)} MB; the limit is ${limit / 1048576} MB. Export a smaller frame.`);
  }
  showMessage("");
  showSkipped(null);
  busy(true, form.dataset.mode === "match" ? "Fitting the LUT to the pair…" : "Grading the frame with the model…");
  try {
    const resp = await fetch(form.action, { method: "POST", body: new FormData(form) });
    const data = await readJSON(resp);
    if (!resp.ok) throw new Error((data && data.error) || `The server answered ${resp.status}.`);
    const name = data.info.mode === "match" ? `match ${data.info.source_name || ""}`.trim() : `${data.info.title} · ${data.info.source_name || ""}`;
    addLook({ token: data.token, name, kind: "result", view: data.view_url, info: data.info, raw: data });
  } catch (err) {
    showMessage(err instanceof TypeError ? "The server could not be reached." : err.message);
  } finally {
    busy(false);
  }
}

function jobUI(on, step, fraction) {
  $("#job").hidden = !on;
  if (step) $("#job-step").textContent = step;
  if (fraction != null) $("#job-progress").value = Math.round(fraction * 100);
  for (const b of document.querySelectorAll("button[type=submit]")) b.disabled = on;
}

function submitLook(form) {
  const input = $("#stills");
  const files = [...input.files];
  const max = Number(document.body.dataset.maxStills);
  if (!files.length) return showMessage("Choose one or more graded stills, or one video, to upload.");
  const video = files.find(isVideo);
  if (video && files.length > 1) return showMessage(`${video.name} is a video: a look is learned from one video on its own, or from stills without a video. Upload them separately.`);
  if (files.length > max) return showMessage(`${files.length} stills: the limit is ${max} per look.`);
  const limit = Number(document.body.dataset.maxBytes);
  const total = files.reduce((a, f) => a + f.size, 0);
  if (video && total > limit) return showMessage(`The video is ${(total / 1048576).toFixed(1)} MB; the limit is ${limit / 1048576} MB per upload. Trim it to a short clip of the look.`);
  if (total > limit) return showMessage(`The stills are ${(total / 1048576).toFixed(1)} MB together; the limit is ${limit / 1048576} MB per upload. Export smaller stills or fewer of them.`);
  showMessage("");
  showSkipped(null);
  const what = video ? `the video ${video.name}` : `${files.length} still(s)`;
  jobUI(true, `Uploading ${what}…`, 0);
  const xhr = new XMLHttpRequest();
  state.xhr = xhr;
  xhr.open("POST", form.action);
  xhr.responseType = "json";
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) jobUI(true, `Uploading ${what}… ${Math.round(100 * e.loaded / e.total)}%`, 0.3 * e.loaded / e.total);
  };
  xhr.onload = () => {
    state.xhr = null;
    const data = xhr.response;
    if (xhr.status !== 202 || !data || !data.job) {
      jobUI(false);
      return showMessage((data && data.error) || `The server answered ${xhr.status}.`);
    }
    state.job = data.job.id;
    poll(data.job.id);
  };
  xhr.onerror = () => { state.xhr = null; jobUI(false); showMessage("The server could not be reached."); };
  xhr.onabort = () => { state.xhr = null; jobUI(false); showMessage("Cancelled."); };
  xhr.send(new FormData(form));
}

async function poll(id) {
  let job;
  try {
    const resp = await fetch(`/api/jobs/${id}`, { cache: "no-store" });
    const data = await readJSON(resp);
    if (!resp.ok) throw new Error((data && data.error) || `The server answered ${resp.status}.`);
    job = data.job;
  } catch (err) {
    state.job = null;
    jobUI(false);
    return showMessage(err.message);
  }
  const read = job.total ? job.done / job.total : 0;
  const fraction = job.state === "estimating" ? 0.9 : 0.3 + 0.6 * read;
  jobUI(true, job.step, fraction);
  if (["queued", "reading", "estimating"].includes(job.state)) {
    setTimeout(() => poll(id), 250);
    return;
  }
  state.job = null;
  jobUI(false);
  showSkipped(job.skipped, "file(s)");
  if (job.state === "done") {
    const look = job.look;
    addLook({ token: look.token, name: look.name, kind: "look", view: look.view_url, info: look.info, ref_width: look.ref_width, ref_height: look.ref_height, raw: null });
  } else {
    showMessage(job.error || (job.state === "cancelled" ? "Cancelled." : "The look could not be learned."));
  }
}

async function cancelJob() {
  if (state.xhr) return state.xhr.abort();
  if (!state.job) return;
  $("#job-step").textContent = "Cancelling…";
  await fetch(`/api/jobs/${state.job}/cancel`, { method: "POST" });
}

async function uploadFootage() {
  const input = $("#footage-input");
  const files = [...input.files];
  if (!files.length) return;
  const max = Number(document.body.dataset.maxFootage);
  if (files.length > max) { input.value = ""; return showMessage(`Upload at most ${max} frames at a time.`); }
  const body = new FormData();
  for (const f of files) body.append("frames", f);
  showMessage("");
  busy(true, `Uploading ${files.length} footage frame(s)…`);
  try {
    const resp = await fetch("/api/footage", { method: "POST", body });
    const data = await readJSON(resp);
    if (!resp.ok) throw new Error((data && data.error) || `The server answered ${resp.status}.`);
    state.frames.push(...data.frames);
    showSkipped(data.skipped, "frame(s)");
    if (data.frames.length) selectFrame(data.frames[0].token);
  } catch (err) {
    showMessage(err instanceof TypeError ? "The server could not be reached." : err.message);
  } finally {
    busy(false);
    input.value = "";
  }
}

function watchFile(input) {
  const label = input.closest(".file");
  const name = label.querySelector(".file-name");
  input.addEventListener("change", () => {
    const files = [...input.files];
    label.querySelector("img.thumb")?.remove();
    if (!files.length) return;
    const mb = (files.reduce((a, f) => a + f.size, 0) / 1048576).toFixed(1);
    name.textContent = files.length === 1 ? `${files[0].name} · ${mb} MB` : `${files.length} files · ${mb} MB`;
    const file = files[0];
    if (files.length === 1 && (file.type === "image/png" || file.type === "image/jpeg")) {
      const thumb = document.createElement("img");
      thumb.className = "thumb";
      thumb.alt = "";
      thumb.src = URL.createObjectURL(file);
      label.appendChild(thumb);
    }
  });
  label.addEventListener("dragover", (e) => { e.preventDefault(); label.classList.add("dragover"); });
  label.addEventListener("dragleave", () => label.classList.remove("dragover"));
  label.addEventListener("drop", (e) => {
    e.preventDefault();
    label.classList.remove("dragover");
    if (e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    }
  });
}

// Wipe view: the after image over the before one, revealed left of the pointer (or arrow keys).
function setView(view) {
  for (const b of document.querySelectorAll(".views button")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
  $("#compare").hidden = view !== "side";
  $("#wipe").hidden = view !== "wipe";
}

function placeWipe(x) {
  state.wipe = Math.min(Math.max(x, 0), 1);
  $("#wipe-after").style.clipPath = `inset(0 ${(100 - state.wipe * 100).toFixed(2)}% 0 0)`;
  $("#wipe-line").style.left = `${(state.wipe * 100).toFixed(2)}%`;
  $("#wipe-stage").setAttribute("aria-valuenow", String(Math.round(state.wipe * 100)));
}

function moveWipe(event) {
  const box = $("#wipe-stage").getBoundingClientRect();
  placeWipe((event.clientX - box.left) / box.width);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll(".views button")) b.addEventListener("click", () => setView(b.dataset.view));
  const stage = $("#wipe-stage");
  stage.addEventListener("pointermove", moveWipe);
  stage.addEventListener("pointerdown", moveWipe);
  stage.tabIndex = 0;
  stage.setAttribute("role", "slider");
  stage.setAttribute("aria-label", "Wipe position (arrow keys)");
  stage.addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      placeWipe((state.wipe ?? 0.5) + (e.key === "ArrowLeft" ? -0.05 : 0.05));
    }
  });
  for (const tab of document.querySelectorAll(".tabs button")) tab.addEventListener("click", () => setMode(tab.dataset.mode));
  for (const form of document.querySelectorAll(".mode-form")) form.addEventListener("submit", submitForm);
  for (const input of document.querySelectorAll(".file input")) watchFile(input);
  $("#strength").addEventListener("input", () => refresh(false));
  for (const el of document.querySelectorAll(".component")) el.addEventListener("input", () => refresh(false));
  $("#components-reset")?.addEventListener("click", () => {
    for (const el of document.querySelectorAll(".component")) el.value = 100;
    refresh(false);
  });
  $("#full-res").addEventListener("change", () => refresh(true));
  $("#compare-with").addEventListener("change", (e) => { state.compare = e.target.value; refresh(true); });
  $("#export-format").addEventListener("change", () => { syncSizes(); if (state.current) updateDownloads(); });
  $("#export-size").addEventListener("change", () => state.current && updateDownloads());
  $("#export-space").addEventListener("change", () => state.current && updateDownloads());
  $("#footage-input").addEventListener("change", uploadFootage);
  $("#job-cancel").addEventListener("click", cancelJob);
  syncSizes();
  // A neutraliser is meant to be used in reverse: preselect it from the model's metadata.
  const model = $("#model");
  const syncReverse = () => {
    const option = model.selectedOptions[0];
    $("#form-grade input[name=reverse]").checked = Boolean(option && option.dataset.reverse === "true");
  };
  if (model) {
    model.addEventListener("change", syncReverse);
    syncReverse();
  }
  busy(false);
});
