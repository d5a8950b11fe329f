"""The web cases: damaged models, Host headers, form values, races between a result and its
download, damaged and oversized uploads, tokens, methods and origins (issue 24, web side)."""

from __future__ import annotations

import io
import shutil
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from .fixtures import damaged_model, first_bias, npz_edit, photo
from .web import Reply, Server, WebCase, judge, multipart_many

# Damaged copies of the model served by the web: folder name -> damage.
WEB_MODEL_DAMAGE = {
    "npz-empty": lambda m: (m / "look_encoder.npz").write_bytes(b""),
    "npz-truncated": lambda m: (m / "look_encoder.npz").write_bytes(
        (m / "look_encoder.npz").read_bytes()[:5000]
    ),
    "npz-no-basis": npz_edit(lambda w: {k: v for k, v in w.items() if k != "basis"}),
    "npz-bias-1e30": npz_edit(lambda w: {**w, first_bias(w): np.full_like(w[first_bias(w)], 1e30)}),
    "npz-nan": npz_edit(lambda w: {**w, "basis": w["basis"] * np.nan}),
    "npz-shape": npz_edit(lambda w: {**w, "mean": w["mean"][:-3]}),
    "npz-text": lambda m: (m / "look_encoder.npz").write_text("hello"),
    "json-lut-size": lambda m: (m / "model.json").write_text('{"kind": "look", "lut_size": 3}'),
    "json-shrinkage": lambda m: (m / "model.json").write_text(
        '{"kind": "look", "shrinkage": {"1": "a lot"}}'
    ),
}
# Folders the server must skip at start, saying so in its log.
WEB_MODEL_SKIPPED = {
    "json-invalid": lambda m: (m / "model.json").write_text("{oops"),
    "json-list": lambda m: (m / "model.json").write_text("[1,2]"),
}


def web_models(work: Path) -> Path:
    """A --models-dir: the good model and every damaged copy, one folder each."""
    root = work / "webmodels"
    if root.exists():
        return root
    root.mkdir()
    shutil.copytree(work / "M", root / "good")
    for name, damage in {**WEB_MODEL_DAMAGE, **WEB_MODEL_SKIPPED}.items():
        shutil.copytree(damaged_model(work, f"web_{name}", damage), root / name)
    return root


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def web_cases(work: Path) -> list[WebCase]:
    out: list[WebCase] = []
    a, a_g = (work / "a.png").read_bytes(), (work / "a_g.png").read_bytes()
    small = photo(48, 64, 3)
    small_png = png(small)
    small_g = png(np.clip(small.astype(np.int32) * 9 // 10 + 12, 0, 255).astype(np.uint8))

    def add(category: str, name: str, server: str = "main"):
        def deco(fn):
            out.append(WebCase(category, name, fn, server))
            return fn

        return deco

    def match(s: Server, before: bytes = a, after: bytes = a_g, name: str = "b.png",
              **fields: str) -> Reply:  # fmt: skip
        return s.post("/api/match", {"size": "17", **fields},
                      {"before": (name, before), "after": ("a.png", after)})  # fmt: skip

    def grade(s: Server, model: str, frame: bytes = a, **fields: str) -> Reply:
        return s.post("/api/grade", {"size": "17", "model": model, **fields},
                      {"frame": ("f.png", frame)})  # fmt: skip

    # ---- damaged models: the server's fault (503 naming the model), never the user's, never 500
    for name in WEB_MODEL_DAMAGE:

        @add("web_models", f"grade with model {name}")
        def _(s: Server, name=name) -> list[str]:
            r = grade(s, name)
            named = name in r.error or "The model '" in r.error  # its id, or its label
            return judge(r, work, 503, absent="Could not build a LUT from these images") + (
                [] if named else [f"error does not name the model: {r.error[:200]!r}"]
            )

    @add("web_models", "good model still grades")
    def _(s: Server) -> list[str]:
        return judge(grade(s, "good"), work, 200)

    for name in WEB_MODEL_SKIPPED:

        @add("web_models", f"{name} skipped, with a log line")
        def _(s: Server, name=name) -> list[str]:
            ids = [m["id"] for m in s.request("GET", "/api/models").json().get("models", [])]
            problems = [f"{name} listed"] if name in ids else []
            if f"{name} skipped" not in s.log_text():
                problems.append(f"no log line for {name}")
            return problems

    @add("web_models", "unknown model id")
    def _(s: Server) -> list[str]:
        return judge(grade(s, "no-such-model"), work, 400, words="Unknown model")

    @add("web_models", "model id with a path in it")
    def _(s: Server) -> list[str]:
        return judge(grade(s, "../../etc/passwd"), work, 400, words="Unknown model")

    # ---- learning a look from stills (a job): damaged model, damaged stills
    stills = [png(photo(60, 80, 20 + i)) for i in range(8)]

    def learn(s: Server, model: str, files: list[tuple[str, bytes]]) -> tuple[Reply, dict]:
        body, ctype = multipart_many({"model": model, "name": "adv"}, "stills", files)
        r = s.request("POST", "/api/looks", body, {"Content-Type": ctype})
        job = r.json().get("job") or {}
        deadline = time.monotonic() + 240
        while job.get("state") not in (None, "done", "failed", "cancelled"):
            if time.monotonic() > deadline:
                return r, {**job, "state": "timed out"}
            time.sleep(0.5)
            job = s.request("GET", f"/api/jobs/{job['id']}").json().get("job", job)
        return r, job

    for name in ("npz-truncated", "npz-bias-1e30", "npz-nan"):

        @add("web_looks", f"learn a look with model {name}")
        def _(s: Server, name=name) -> list[str]:
            r, job = learn(s, name, [(f"s{i}.png", d) for i, d in enumerate(stills)])
            problems = judge(r, work, (202, 503))
            error = str(job.get("error") or r.error)
            if r.status == 202 and job.get("state") != "failed":
                problems.append(f"job {job.get('state')}, expected failed")
            if "not with your images" not in error and "damaged" not in error:
                problems.append(f"error does not blame the model: {error[:200]!r}")
            return problems

    @add("web_looks", "learn a look: two damaged JPEG stills skipped, named")
    def _(s: Server) -> list[str]:
        files = [(f"s{i}.png", d) for i, d in enumerate(stills)]
        files += [("zero.jpg", (work / "zero_mid.jpg").read_bytes()),
                  ("cut.jpg", (work / "cut50.jpg").read_bytes())]  # fmt: skip
        r, job = learn(s, "good", files)
        problems = judge(r, work, 202)
        skipped = {k.get("name"): k.get("reason", "") for k in job.get("skipped", [])}
        if job.get("state") != "done":
            problems.append(f"job {job.get('state')}: {str(job.get('error'))[:200]}")
        if set(skipped) != {"zero.jpg", "cut.jpg"}:
            problems.append(f"skipped {sorted(skipped)}, expected zero.jpg and cut.jpg")
        if "damaged JPEG" not in skipped.get("zero.jpg", ""):
            problems.append(f"zero.jpg reason: {skipped.get('zero.jpg', '')[:150]!r}")
        return problems

    @add("web_looks", "learn a look: every still damaged")
    def _(s: Server) -> list[str]:
        files = [(f"z{i}.jpg", (work / "zero_mid.jpg").read_bytes()) for i in range(3)]
        r, job = learn(s, "good", files)
        problems = judge(r, work, (202, 400))
        if r.status == 202 and job.get("state") != "failed":
            problems.append(f"job {job.get('state')}, expected failed")
        return problems

    @add("web_looks", "learn a look: no stills")
    def _(s: Server) -> list[str]:
        body, ctype = multipart_many({"model": "good"}, "stills", [])
        return judge(s.request("POST", "/api/looks", body, {"Content-Type": ctype}), work, 400)

    @add("web_looks", "learn a look: 201 stills")
    def _(s: Server) -> list[str]:
        tiny = png(photo(8, 8, 1))
        body, ctype = multipart_many(
            {"model": "good"}, "stills", [(f"t{i}.png", tiny) for i in range(201)]
        )
        r = s.request("POST", "/api/looks", body, {"Content-Type": ctype})
        return judge(r, work, 400, words="limit")

    @add("web_looks", "learn a look: unknown model")
    def _(s: Server) -> list[str]:
        r, _job = learn(s, "nope", [("s.png", stills[0])])
        return judge(r, work, 400, words="Unknown model")

    # ---- Host headers (DNS rebinding)
    for host in ("localhost:1@evil.com", "[::1]evil.com", "localhost:evil", "evil.com",
                 "localhost:99999", "127.0.0.1.nip.io", "2130706433", "localhost\t.evil",
                 "localhost:80:80", "", "[::1", "LOCALHOST@evil.com"):  # fmt: skip

        @add("web_hosts", f"Host {host!r} refused")
        def _(s: Server, host=host) -> list[str]:
            return judge(s.request("GET", "/api/models", host=host), work, 400)

    for host in ("LOCALHOST", "localhost.", "[::1]:8000", "127.0.0.1"):

        @add("web_hosts", f"Host {host!r} served")
        def _(s: Server, host=host) -> list[str]:
            return judge(s.request("GET", "/api/models", host=host), work, 200)

    # ---- form values
    for size in ("²", "٣٣", "-1", "33.0", " 33", "1e9", "", "0x21", "9" * 400, "3"):

        @add("web_form", f"size={size[:20]!r}")
        def _(s: Server, size=size) -> list[str]:
            return judge(match(s, small_png, small_g, size=size), work, 400, words="LUT size")

    @add("web_form", "size=033 is 33")
    def _(s: Server) -> list[str]:
        return judge(match(s, small_png, small_g, size="033"), work, 200)

    @add("web_form", "no after image")
    def _(s: Server) -> list[str]:
        r = s.post("/api/match", {"size": "17"}, {"before": ("b.png", small_png)})
        return judge(r, work, 400, words="Choose")

    @add("web_form", "JSON body instead of a form")
    def _(s: Server) -> list[str]:
        r = s.request("POST", "/api/match", b'{"size": 17}', {"Content-Type": "application/json"})
        return judge(r, work, 400)

    @add("web_form", "multipart with a broken boundary")
    def _(s: Server) -> list[str]:
        body = b"--x\r\nContent-Disposition: form-data; name=before; filename=b.png\r\n\r\n" + a
        r = s.request(
            "POST", "/api/match", body, {"Content-Type": "multipart/form-data; boundary=y"}
        )
        return judge(r, work, 400)

    @add("web_form", "script in the file name is not echoed")
    def _(s: Server) -> list[str]:
        r = match(s, b"not an image", small_g, name="<script>alert(1)</script>.png")
        return judge(r, work, 400, absent="<script>")

    @add("web_form", "path in the file name is not used")
    def _(s: Server) -> list[str]:
        r = match(s, small_png, small_g, name="../../../../etc/passwd")
        return judge(r, work, 200) + (
            [] if not Path("/etc/passwd.png").exists() else ["wrote outside"]
        )

    @add("web_form", "cross-site POST")
    def _(s: Server) -> list[str]:
        r = s.post("/api/match", {"size": "17"}, {"before": ("b.png", small_png)},
                   headers={"Origin": "http://evil.example"})  # fmt: skip
        return judge(r, work, 403)

    for strength in ("2", "nan", "-0.5", "abc", "inf", "1e999"):

        @add("web_form", f"strength={strength}")
        def _(s: Server, strength=strength) -> list[str]:
            token = match(s, small_png, small_g).json().get("token", "x")
            r = s.request("GET", f"/api/result/{token}/lut.cube?strength={strength}")
            return judge(r, work, 400, words="Strength")

    # ---- tokens and methods
    for path in ("/api/result/../../etc/passwd/graded.png", "/api/result/" + "a" * 5000 + "/lut.cube",
                 "/api/result/%00/graded.png", "/api/result/0123456789abcdef/after.jpg",
                 "/api/view/nope", "/api/jobs/nope", "/no/such/page"):  # fmt: skip

        @add("web_tokens", f"GET {path[:50]}")
        def _(s: Server, path=path) -> list[str]:
            return judge(s.request("GET", path), work, (404, 400))

    for method, path in (("GET", "/api/match"), ("PUT", "/api/grade"), ("DELETE", "/api/models")):

        @add("web_tokens", f"{method} {path}")
        def _(s: Server, method=method, path=path) -> list[str]:
            return judge(s.request(method, path, b""), work, 405)

    # ---- results must outlive the request that made them (item 6)
    for kind in ("match", "grade"):

        @add("web_race", f"20 concurrent {kind} + at once graded.png")
        def _(s: Server, kind=kind) -> list[str]:
            def one(i: int) -> list[str]:
                r = match(s, small_png, small_g) if kind == "match" else grade(s, "good", small_png)
                if r.status != 200:
                    return [f"{kind} {i}: HTTP {r.status} {r.error[:100]}"]
                d = s.request("GET", r.json()["image_url"])
                return [] if d.status == 200 else [f"download {i}: HTTP {d.status} {d.error[:100]}"]

            with ThreadPoolExecutor(20) as pool:
                return [p for ps in pool.map(one, range(20)) for p in ps]

    # ---- damaged and odd uploads (item 7)
    for name, words in (("sof2000.jpg", "damaged JPEG"), ("sof9000.jpg", "megapixels"),
                        ("sof2000_prog.jpg", "damaged JPEG"), ("cut50.jpg", "JPEG"),
                        ("noeoi.jpg", "JPEG"), ("random_mid.jpg", "damaged JPEG"),
                        ("zero_mid.jpg", "damaged JPEG"), ("rst_order.jpg", "restart marker"),
                        ("leftover.jpg", "left over"), ("sof_smaller.jpg", "damaged JPEG"),
                        ("empty.tif", "before image"), ("nan.exr", "NaN")):  # fmt: skip

        @add("web_uploads", f"upload {name}")
        def _(s: Server, name=name, words=words) -> list[str]:
            r = match(s, (work / name).read_bytes(), a_g, name=name)
            return judge(r, work, 400, words=words) + (
                [] if "before image" in r.error else ["error does not name the field"]
            )

    @add("web_uploads", "empty upload")
    def _(s: Server) -> list[str]:
        return judge(match(s, b"", a_g), work, 400, words="empty")

    @add("web_uploads", "text named .png")
    def _(s: Server) -> list[str]:
        return judge(match(s, b"hello world" * 10, a_g), work, 400, words="not a")

    @add("web_uploads", "PNG with a broken CRC")
    def _(s: Server) -> list[str]:
        data = bytearray(small_png)
        data[40] ^= 0xFF
        return judge(match(s, bytes(data), small_g), work, 400)

    @add("web_uploads", "PNG header claiming 50 000 x 50 000")
    def _(s: Server) -> list[str]:
        ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
        chunk = b"IHDR" + ihdr
        data = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
                + struct.pack(">I", zlib.crc32(chunk)) + small_png[33:])  # fmt: skip
        return judge(match(s, data, small_g), work, 400, words="megapixels")

    @add("web_uploads", "1x1 frames")
    def _(s: Server) -> list[str]:
        one = png(np.zeros((1, 1, 3), np.uint8))
        return judge(match(s, one, one), work, (200, 400))

    @add("web_uploads", "frames of different aspect ratios")
    def _(s: Server) -> list[str]:
        square = png(photo(64, 64, 4))
        return judge(match(s, small_png, square), work, 400, words="same frame")

    @add("web_uploads", "two different photos: a warning")
    def _(s: Server) -> list[str]:
        return judge(match(s, small_png, a_g), work, 200, words="reproduces the after image only")

    @add("web_uploads", "sound JPEG with bytes after its end")
    def _(s: Server) -> list[str]:
        data = (work / "a.jpg").read_bytes() + b"TRAILER" * 100
        return judge(match(s, data, a_g), work, 200)

    @add("web_uploads", "upload over --max-upload-mb", server="small")
    def _(s: Server) -> list[str]:
        big = np.random.default_rng(0).integers(0, 255, (1200, 1600, 3), np.uint8)
        return judge(match(s, png(big), a_g), work, 413, words="MB")

    @add("web_uploads", "Content-Length claiming 10 GB", server="small")
    def _(s: Server) -> list[str]:
        r = s.request("POST", "/api/match", b"x" * 100,
                      {"Content-Type": "multipart/form-data; boundary=x",
                       "Content-Length": str(10 << 30)}, timeout=60)  # fmt: skip
        return judge(r, work, (413, 400))

    @add("web_uploads", "frame over --max-megapixels", server="small")
    def _(s: Server) -> list[str]:
        big = np.zeros((1500, 1500, 3), np.uint8)  # 2.25 MP over the 2 MP limit, tiny as a PNG
        return judge(match(s, png(big), a_g), work, 400, words="megapixels")

    return out
