// lutml web UI: plain JavaScript, served by the app itself (no CDN, no framework).
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { result: null, want: null, shown: null, loading: false };

function setMode(mode) {
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  for (const form of document.querySelectorAll(".mode-form")) form.hidden = form.dataset.mode !== mode;
  showMessage("");
}

function showMessage(text) {
  const box = $("#message");
  box.textContent = text;
  box.hidden = !text;
}

function busy(on, text) {
  $("#busy").hidden = !on;
  if (text) $("#busy-text").textContent = text;
  for (const b of document.querySelectorAll("button[type=submit]")) b.dataset.busy = on ? "1" : "";
  for (const b of document.querySelectorAll("button[type=submit]")) {
    b.disabled = on || (b.form && b.form.dataset.mode === "grade" && !$("#model"));
  }
}

function strength() {
  return (Number($("#strength").value) / 100).toFixed(2);
}

function describe(r) {
  const info = r.info;
  const mode = info.mode === "match" ? "Matched before → after" : `Look: ${info.model}${info.reverse ? " (reverse)" : ""}`;
  const depth = `${r.bit_depth}-bit${r.alpha ? " + alpha" : ""}`;
  const fit = info.fit_de00 == null ? "" : ` · ${info.robust ? "robust " : ""}fit ΔE00 ${info.fit_de00.toFixed(2)}`;
  const note = info.source_note ? ` · ${info.source_note}` : "";
  return `${mode} · ${info.size}³ LUT${fit} · source ${r.width}×${r.height} ${depth} · preview ${r.preview_width}×${r.preview_height}${note}`;
}

function showCoverage(r) {
  const info = r.info;
  const cov = info.coverage || {};
  $("#coverage").classList.toggle("warn", Boolean(info.warning));
  $("#coverage-bar").style.width = cov.regions == null ? "0" : `${Math.round(cov.regions * 100)}%`;
  $("#coverage-text").textContent = info.warning || cov.note
    || "This model predicts the LUT directly, so there is no fit coverage to report.";
  $("#coverage-details").hidden = !r.coverage_url;
  if (r.coverage_url) $("#coverage-img").src = r.coverage_url;
}

// The slider can move faster than the server answers: at most one preview request is in
// flight; when it lands, the latest wanted strength is fetched next (intermediate ones skipped).
function updateAfter() {
  const r = state.result;
  if (!r) return;
  const s = strength();
  $("#strength-value").textContent = `${Math.round(s * 100)}%`;
  $("#after-caption").textContent = `${Math.round(s * 100)}%`;
  $("#download-cube").href = `${r.cube_url}?strength=${s}`;
  $("#download-image").href = `${r.image_url}?strength=${s}`;
  state.want = s;
  pump();
}

function pump() {
  const r = state.result;
  if (!r || state.loading || state.want === state.shown) return;
  const s = state.want;
  const token = r.token;
  const img = new Image();
  state.loading = true;
  img.onload = () => {
    state.loading = false;
    if (state.result && state.result.token === token) {
      for (const el of document.querySelectorAll(".after-img")) el.src = img.src;
      $("#after-img").dataset.strength = s;
      state.shown = s;
    }
    pump();
  };
  img.onerror = () => {
    state.loading = false;
    showMessage("Could not load the preview (the result may have expired); upload the frame again.");
  };
  img.src = `${r.after_url}?strength=${s}`;
}

function showResult(r) {
  state.result = r;
  state.shown = null;
  state.want = null;
  $("#placeholder").hidden = true;
  $("#result").hidden = false;
  for (const el of document.querySelectorAll(".before-img, .after-img")) {
    el.width = r.preview_width;
    el.height = r.preview_height;
  }
  for (const el of document.querySelectorAll(".before-img")) el.src = r.before_url;
  showCoverage(r);
  $("#facts").textContent = describe(r);
  updateAfter();
}

async function submitForm(event) {
  event.preventDefault();
  const form = event.currentTarget;
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
  busy(true, form.dataset.mode === "match" ? "Fitting the LUT to the pair…" : "Grading the frame with the model…");
  try {
    const resp = await fetch(form.action, { method: "POST", body: new FormData(form) });
    let data = null;
    try { data = await resp.json(); } catch { data = null; }
    if (!resp.ok) throw new Error((data && data.error) || `The server answered ${resp.status}.`);
    showResult(data);
  } catch (err) {
    showMessage(err instanceof TypeError ? "The server could not be reached." : err.message);
  } finally {
    busy(false);
  }
}

function watchFile(input) {
  const label = input.closest(".file");
  const name = label.querySelector(".file-name");
  input.addEventListener("change", () => {
    const file = input.files[0];
    label.querySelector("img.thumb")?.remove();
    if (!file) return;
    name.textContent = `${file.name} · ${(file.size / 1048576).toFixed(1)} MB`;
    if (file.type === "image/png" || file.type === "image/jpeg") {
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

// Wipe view: the after image over the before one, revealed left of the pointer.
function setView(view) {
  for (const b of document.querySelectorAll(".views button")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
  $("#compare").hidden = view !== "side";
  $("#wipe").hidden = view !== "wipe";
}

function moveWipe(event) {
  const box = $("#wipe-stage").getBoundingClientRect();
  const x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
  $("#wipe-after").style.clipPath = `inset(0 ${(100 - x * 100).toFixed(2)}% 0 0)`;
  $("#wipe-line").style.left = `${(x * 100).toFixed(2)}%`;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll(".views button")) b.addEventListener("click", () => setView(b.dataset.view));
  $("#wipe-stage").addEventListener("pointermove", moveWipe);
  $("#wipe-stage").addEventListener("pointerdown", moveWipe);
  for (const tab of document.querySelectorAll(".tabs button")) tab.addEventListener("click", () => setMode(tab.dataset.mode));
  for (const form of document.querySelectorAll(".mode-form")) form.addEventListener("submit", submitForm);
  for (const input of document.querySelectorAll(".file input")) watchFile(input);
  $("#strength").addEventListener("input", updateAfter);
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
