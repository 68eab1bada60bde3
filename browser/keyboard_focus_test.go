package browser_test

// What the keyboard helpers (keyboard_helpers_test.go) measure at each focus stop, read from
// the page by script that only reads: computed styles, boxes and the document's order.

// minFocusContrast is WCAG's contrast for the parts of a control that show its state (1.4.11).
const minFocusContrast = 3.0

// focusStop is what the tests measure at one focused element.
type focusStop struct {
	Desc string `json:"desc"` // tag, id, test id and text, for messages
	Body bool   `json:"body"` // nothing is focused: the focus went to <body>
	Path string `json:"path"` // a CSS path that finds the element again on the same page
	// Indicator is the focus style as drawn ("outline 3px rgb(69, 69, 69)"), or "" for none;
	// a radio button's or checkbox's is its label's box, which DKFDS draws over the input.
	Indicator string  `json:"indicator"`
	Width     float64 `json:"width"`
	Contrast  float64 `json:"contrast"` // the indicator's colour against what is behind it
	// Follows: the element comes after the previous stop in the document; Above: it is drawn
	// above and to the left of it (a jump back in reading order).
	Follows bool `json:"follows"`
	Above   bool `json:"above"`
	// PrevIndicator is the previous stop's style now that it has lost the focus: a style
	// that does not change with the focus indicates nothing.
	PrevIndicator string `json:"prevIndicator"`
	PrevFound     bool   `json:"prevFound"`
	OnScreen      bool   `json:"onScreen"`
	SkipLink      bool   `json:"skipLink"`
}

// measureFocusJS reads the focused element, and the previous stop found by its path. It only
// reads: computed styles, boxes and the document's order.
const measureFocusJS = `((prevPath) => {
	const rgba = c => {
		const m = /rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\)/.exec(c || '');
		if (!m) return null;
		let a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
		return [+m[1], +m[2], +m[3], a];
	};
	const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
	const lum = c => {
		const ch = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
		return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
	};
	const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	// background is the colour drawn behind el: the first ancestor-or-self with a background.
	const background = el => {
		const layers = [];
		for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
			const c = rgba(getComputedStyle(e).backgroundColor);
			if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
		}
		let bg = [255, 255, 255, 1];
		for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
		return bg;
	};
	// indicator is the outline or box-shadow el (or its ::before) draws, with its contrast.
	const indicator = el => {
		let target = el, pseudo = null;
		if (el.matches('input[type=radio], input[type=checkbox]')) {
			const label = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
			const r = el.getBoundingClientRect();
			if (label && (r.width <= 1 || r.height <= 1 || getComputedStyle(el).opacity === '0')) { target = label; pseudo = '::before'; }
		}
		const cs = getComputedStyle(target, pseudo);
		const found = [];
		const ow = parseFloat(cs.outlineWidth) || 0;
		if (cs.outlineStyle !== 'none' && ow > 0) {
			const c = rgba(cs.outlineColor);
			const inside = (parseFloat(cs.outlineOffset) || 0) < -ow / 2;
			found.push({text: 'outline ' + cs.outlineWidth + ' ' + cs.outlineStyle + ' ' + cs.outlineColor, width: ow, c, inside});
		}
		if (cs.boxShadow && cs.boxShadow !== 'none') {
			for (const s of cs.boxShadow.split(/,(?![^(]*\))/)) {
				const c = rgba(s);
				const lens = (s.replace(/rgba?\([^)]*\)/, '').match(/-?[\d.]+px/g) || []).map(parseFloat);
				const width = Math.max(lens[2] || 0, lens[3] || 0);
				if (width > 0) found.push({text: 'box-shadow ' + s.trim(), width, c, inside: /inset/.test(s)});
			}
		}
		let best = {text: '', width: 0, contrast: 0};
		for (const f of found) {
			if (!f.c || f.c[3] === 0) continue;
			const bg = background(f.inside || pseudo ? target : (target.parentElement || target));
			const k = contrast(over(f.c, bg), bg);
			if (k > best.contrast) best = {text: f.text, width: f.width, contrast: k};
		}
		return best;
	};
	const pathOf = el => {
		const parts = [];
		for (let e = el; e && e !== document.body; e = e.parentElement) {
			parts.unshift(':nth-child(' + (Array.prototype.indexOf.call(e.parentElement.children, e) + 1) + ')');
		}
		return 'body > ' + parts.join(' > ');
	};
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) return {desc: 'body', body: true};
	const start = e.outerHTML.slice(0, e.outerHTML.indexOf('>') + 1).slice(0, 160);
	const text = (e.innerText || e.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
	const ind = indicator(e);
	const r = e.getBoundingClientRect();
	const box = e.matches('input[type=radio], input[type=checkbox]') && e.id ?
		(document.querySelector('label[for="' + CSS.escape(e.id) + '"]') || e).getBoundingClientRect() : r;
	const out = {desc: start + (text ? ' «' + text + '»' : ''), body: false, path: pathOf(e),
		indicator: ind.text, width: ind.width, contrast: ind.contrast, follows: true, above: false,
		onScreen: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth && box.width > 0 && box.height > 0,
		skipLink: e.matches('a.skipnav[href="#main-content"]'), prevFound: false, prevIndicator: ''};
	const prev = prevPath ? document.querySelector(prevPath) : null;
	if (prev && prev !== e) {
		out.prevFound = true;
		out.prevIndicator = indicator(prev).text;
		out.follows = !!(prev.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
		const p = prev.getBoundingClientRect();
		out.above = r.bottom <= p.top + 2 && r.right <= p.left + 2;
	}
	return out;
})`
