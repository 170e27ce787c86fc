// Greenprint's district map (dashboard/map): districts on a 2D canvas in Web Mercator.
// Our own code, no library. Streamlit (components v2) calls the default export on every
// new data with the same parentElement; one MapView per parentElement keeps the view.
// Geometry and tooltip columns arrive once per session ("blobs", by key) and are cached
// here for the page's life; a key this page does not hold is asked for (trigger "need").

const CACHE_MAX = 48; // blobs kept (geometries and columns), least recently used dropped
const NEED_WAIT_MS = 400; // another map of the page may be bringing a missing blob
const PAD_PX = 8;
const ZOOM_STEP = 1.5;
const CLICK_SLOP_PX = 4;
const PAN_SHARE = 0.1; // an arrow key moves the map by this share of its width or height
const EDGE_MIN_PX = 6; // white edges only where a typical district is this wide on screen
const HOVER = 'rgba(255,140,0,0.9)'; // the outline of the district under the pointer
const HOVER_PX = 2;

// shared by every map of the page; on globalThis so that it outlives a re-evaluated module
const cache = (globalThis.greenprintMapCache ??= new Map());
const views = new WeakMap();

function remember(key, value) {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
}

function recall(key) {
  const value = cache.get(key);
  if (value !== undefined) remember(key, value);
  return value;
}

function bytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// geometry: Web Mercator metres from the city's south-west corner (dashboard/map/encode.py)
function decodeGeometry(g) {
  const xy = new Float32Array(bytes(g.coords).buffer);
  const rings = new Int32Array(bytes(g.rings).buffer);
  const polygons = new Int32Array(bytes(g.polygons).buffer);
  const districts = new Int32Array(bytes(g.districts).buffer);
  const paths = [];
  const boxes = new Float32Array(g.n * 4);
  const all = new Path2D();
  for (let d = 0; d < g.n; d++) {
    const path = new Path2D();
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let p = districts[d]; p < districts[d + 1]; p++) {
      for (let r = polygons[p]; r < polygons[p + 1]; r++) {
        for (let i = rings[r]; i < rings[r + 1]; i++) {
          const x = xy[2 * i], y = xy[2 * i + 1];
          if (i === rings[r]) path.moveTo(x, y); else path.lineTo(x, y);
          if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
        }
        path.closePath();
      }
    }
    boxes.set([x0, y0, x1, y1], 4 * d);
    paths.push(path);
    all.addPath(path);
  }
  return {n: g.n, extent: g.extent, paths, boxes, all, byFill: new Map()};
}

function decode(key, value) {
  return key.startsWith('g') ? decodeGeometry(value) : value;
}

const ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function rgba(c) {
  return `rgba(${c[0]},${c[1]},${c[2]},${(c[3] ?? 255) / 255})`;
}

class MapView {
  constructor(parent, setTriggerValue) {
    this.setTriggerValue = setTriggerValue;
    this.root = parent.querySelector('.gp-map');
    if (!this.root) {
      this.root = document.createElement('div');
      this.root.className = 'gp-map';
      this.root.dataset.testid = 'gp-map';
      parent.appendChild(this.root);
    }
    this.root.innerHTML = '';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight ArrowUp ArrowDown + - 0');
    this.overlay = document.createElement('canvas'); // the hovered district's outline
    this.overlay.className = 'gp-map-overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    this.controls = document.createElement('div');
    this.controls.className = 'gp-map-controls';
    this.buttons = {};
    for (const [name, text] of [['zoom_in', '+'], ['zoom_out', '\u2212'], ['reset', '\u27f2']]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.addEventListener('click', () => this.zoomButton(name));
      this.buttons[name] = b;
      this.controls.appendChild(b);
    }
    this.tip = document.createElement('div');
    this.tip.className = 'gp-map-tooltip';
    this.tip.hidden = true;
    this.hovered = -1;
    this.root.append(this.canvas, this.overlay, this.controls, this.tip);
    this.ctx = this.canvas.getContext('2d');
    this.probe = new OffscreenCanvas(1, 1).getContext('2d');
    this.painted = 0;
    this.view = null; // {scale, tx, ty}: screen = (tx + scale x, ty - scale y), CSS px
    this.moved = false;
    this.width = 0;
    this.height = 0;
    this.frame = 0;
    this.asked = null;
    this.listen();
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(this.root);
  }

  update(data) {
    for (const [key, value] of Object.entries(data.blobs || {})) remember(key, decode(key, value));
    this.data = data;
    this.root.style.height = `${data.height}px`;
    this.canvas.setAttribute('aria-label', data.label);
    for (const [name, b] of Object.entries(this.buttons)) {
      b.setAttribute('aria-label', data.texts[name]);
      b.title = data.texts[name];
    }
    this.resolve(true);
  }

  // the data's blobs from the cache; missing ones are asked for once, after a short wait
  resolve(wait) {
    const data = this.data;
    const keys = [data.geometry, ...Object.values(data.columns)];
    const missing = keys.filter((k) => !cache.has(k));
    if (!missing.length) {
      const geometry = recall(data.geometry);
      if (this.geometry !== geometry) { // another city: fitted afresh, nothing hovered
        this.moved = false;
        this.hovered = -1;
      }
      this.geometry = geometry;
      this.columns = Object.fromEntries(
        Object.entries(data.columns).map(([name, key]) => [name, recall(key)]));
      this.fill = bytes(data.fill);
      this.fillKey = data.fill;
      this.paintNow(); // new data: drawn at once, not a frame later
      if (this.tipAt && !this.tip.hidden) this.tooltip(...this.tipAt); // its new values
      return;
    }
    if (wait) {
      clearTimeout(this.waiting);
      this.waiting = setTimeout(() => this.data === data && this.resolve(false), NEED_WAIT_MS);
    } else if (this.asked !== data) {
      this.asked = data;
      this.setTriggerValue('need', missing.join(','));
    }
  }

  resize() {
    const width = this.root.clientWidth;
    const height = this.root.clientHeight;
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.schedule();
  }

  fit() {
    const [ex, ey] = this.geometry.extent;
    const w = Math.max(1, this.width - 2 * PAD_PX), h = Math.max(1, this.height - 2 * PAD_PX);
    const scale = Math.min(w / Math.max(ex, 1e-9), h / Math.max(ey, 1e-9));
    this.view = {scale, tx: (this.width - scale * ex) / 2, ty: (this.height + scale * ey) / 2};
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.paint(); });
  }

  paintNow() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.paint();
  }

  // districts grouped by fill colour, one path per colour (cached per fills)
  groups() {
    const g = this.geometry;
    let groups = g.byFill.get(this.fillKey);
    if (groups) return groups;
    const byColour = new Map();
    for (let d = 0; d < g.n; d++) {
      const c = this.fill.subarray(4 * d, 4 * d + 4);
      if (c[3] === 0) continue;
      const colour = ((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | c[3]) >>> 0;
      let path = byColour.get(colour);
      if (!path) byColour.set(colour, (path = new Path2D()));
      path.addPath(g.paths[d]);
    }
    groups = [...byColour].map(([c, path]) => [
      `rgba(${c >>> 24},${(c >>> 16) & 255},${(c >>> 8) & 255},${(c & 255) / 255})`, path]);
    if (g.byFill.size > 8) g.byFill.clear();
    g.byFill.set(this.fillKey, groups);
    return groups;
  }

  paint() {
    if (!this.geometry || !this.width || !this.height) return;
    if (!this.moved || !this.view) this.fit();
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(this.width * dpr), ch = Math.round(this.height * dpr);
    for (const c of [this.canvas, this.overlay]) {
      if (c.width !== cw || c.height !== ch) {
        c.width = cw;
        c.height = ch;
        c.style.width = `${this.width}px`;
        c.style.height = `${this.height}px`;
      }
    }
    const ctx = this.ctx, style = this.data.style, g = this.geometry;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = style.background;
    ctx.fillRect(0, 0, cw, ch);
    const s = this.view.scale * dpr;
    ctx.setTransform(s, 0, 0, -s, this.view.tx * dpr, this.view.ty * dpr);
    ctx.lineJoin = 'round';
    for (const [colour, path] of this.groups()) {
      ctx.fillStyle = colour;
      ctx.fill(path, 'evenodd');
    }
    const px = (n) => (n * dpr) / s; // a width in CSS pixels, in path units
    const typical = this.view.scale * Math.sqrt((g.extent[0] * g.extent[1]) / Math.max(g.n, 1));
    if (typical >= EDGE_MIN_PX) { // a large city's edges would hide its colours
      ctx.strokeStyle = rgba(style.line);
      ctx.lineWidth = px(style.line_px);
      ctx.stroke(g.all);
    }
    if (this.data.outlined.length) {
      const outline = new Path2D();
      for (const d of this.data.outlined) outline.addPath(g.paths[d]);
      for (const [colour, width] of [[style.halo, style.halo_px],
                                     [style.predicted, style.predicted_px]]) {
        ctx.strokeStyle = rgba(colour);
        ctx.lineWidth = px(width);
        ctx.stroke(outline);
      }
    }
    if (this.data.highlight >= 0) {
      ctx.strokeStyle = rgba(style.highlight);
      ctx.lineWidth = px(style.highlight_px);
      ctx.stroke(g.paths[this.data.highlight]);
    }
    this.outline();
    this.painted += 1;
    this.root.dataset.painted = String(this.painted);
    this.root.dataset.paintedAt = performance.now().toFixed(1);
    this.root.dataset.geometry = this.data.geometry;
  }

  // the hovered district's outline on the overlay (cleared when none)
  outline() {
    const ctx = this.overlay.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (this.hovered < 0 || !this.geometry || !this.view) return;
    const dpr = window.devicePixelRatio || 1, s = this.view.scale * dpr;
    ctx.setTransform(s, 0, 0, -s, this.view.tx * dpr, this.view.ty * dpr);
    ctx.lineJoin = 'round';
    ctx.strokeStyle = HOVER;
    ctx.lineWidth = (HOVER_PX * dpr) / s;
    ctx.stroke(this.geometry.paths[this.hovered]);
  }

  hover(d) {
    if (d === this.hovered) return;
    this.hovered = d;
    this.outline();
  }

  // the district under a point of the canvas (CSS px), or -1
  hit(x, y) {
    const g = this.geometry;
    if (!g || !this.view) return -1;
    const mx = (x - this.view.tx) / this.view.scale, my = (this.view.ty - y) / this.view.scale;
    for (let d = 0; d < g.n; d++) {
      const b = 4 * d;
      if (mx < g.boxes[b] || mx > g.boxes[b + 2] || my < g.boxes[b + 1] || my > g.boxes[b + 3]) {
        continue;
      }
      if (this.probe.isPointInPath(g.paths[d], mx, my, 'evenodd')) return d;
    }
    return -1;
  }

  tooltip(d, x, y) {
    this.tipAt = d < 0 ? null : [d, x, y];
    if (d < 0) {
      this.tip.hidden = true;
      return;
    }
    // the template is the app's own HTML; every value is escaped (names come from uploads)
    this.tip.innerHTML = this.data.tooltip.replace(/\{(\w+)\}/g, (whole, name) =>
      (name in this.columns ? escapeHtml(this.columns[name][d]) : whole));
    this.tip.hidden = false;
    const w = this.tip.offsetWidth, h = this.tip.offsetHeight;
    this.tip.style.left = `${Math.min(x + 12, Math.max(0, this.width - w))}px`;
    this.tip.style.top = `${y + 12 + h > this.height ? Math.max(0, y - h - 8) : y + 12}px`;
  }

  zoomAt(factor, x, y) {
    if (!this.view) return;
    this.view = {scale: this.view.scale * factor, tx: x - (x - this.view.tx) * factor,
                 ty: y - (y - this.view.ty) * factor};
    this.moved = true;
    this.schedule();
  }

  zoomButton(name) {
    if (name === 'reset') {
      this.moved = false;
      this.schedule();
    } else {
      this.zoomAt(name === 'zoom_in' ? ZOOM_STEP : 1 / ZOOM_STEP, this.width / 2, this.height / 2);
    }
  }

  listen() {
    const c = this.canvas;
    const at = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener('pointerdown', (e) => {
      const [x, y] = at(e);
      this.drag = {x, y, x0: x, y0: y, id: e.pointerId};
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      const [x, y] = at(e);
      if (this.drag && this.view) {
        const dx = x - this.drag.x, dy = y - this.drag.y;
        if (dx || dy) {
          this.view = {...this.view, tx: this.view.tx + dx, ty: this.view.ty + dy};
          this.drag.x = x;
          this.drag.y = y;
          this.moved = true;
          this.tip.hidden = true;
          this.schedule();
        }
      } else {
        const d = this.hit(x, y);
        this.tooltip(d, x, y);
        this.hover(d);
      }
    });
    c.addEventListener('pointerup', (e) => {
      const drag = this.drag;
      this.drag = null;
      if (!drag) return;
      const [x, y] = at(e);
      if (Math.hypot(x - drag.x0, y - drag.y0) > CLICK_SLOP_PX || !this.data.pick) return;
      const d = this.hit(x, y);
      if (d >= 0 && this.columns.district_id) {
        this.setTriggerValue('pick', String(this.columns.district_id[d]));
      }
    });
    c.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
      this.hover(-1);
    });
    // the keyboard, on the focused map: arrows pan, + and - zoom, 0 fits the city again
    c.tabIndex = 0;
    c.addEventListener('keydown', (e) => {
      if (!this.view) return;
      const pan = {ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]};
      if (e.key in pan) {
        const [dx, dy] = pan[e.key];
        this.view = {...this.view, tx: this.view.tx + dx * PAN_SHARE * this.width,
                     ty: this.view.ty + dy * PAN_SHARE * this.height};
        this.moved = true;
        this.schedule();
      } else if (e.key === '+' || e.key === '=') {
        this.zoomButton('zoom_in');
      } else if (e.key === '-') {
        this.zoomButton('zoom_out');
      } else if (e.key === '0') {
        this.zoomButton('reset');
      } else {
        return;
      }
      e.preventDefault();
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const [x, y] = at(e);
      this.zoomAt(Math.exp(-e.deltaY * 0.002), x, y);
    }, {passive: false});
  }

  destroy() {
    this.resizer.disconnect();
    clearTimeout(this.waiting);
    cancelAnimationFrame(this.frame);
  }
}

export default function districtMap({parentElement, data, setTriggerValue}) {
  let view = views.get(parentElement);
  if (!view) {
    view = new MapView(parentElement, setTriggerValue);
    views.set(parentElement, view);
  }
  view.setTriggerValue = setTriggerValue;
  if (data) view.update(data);
  return () => {
    view.destroy();
    views.delete(parentElement);
  };
}
