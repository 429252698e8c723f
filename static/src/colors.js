/** Writers' colours: always a hex colour dark enough for white name labels (WCAG AA, 4.5:1). */

export const PALETTE = Object.freeze([
  '#9a3412', '#1d4ed8', '#166534', '#7e22ce', '#b91c1c', '#0f766e', '#a16207', '#be185d', '#3f6212', '#4338ca'
])

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i

function parse (hex) {
  const m = HEX.exec(String(hex || '').trim())
  if (!m) return null
  let h = m[1]
  if (h.length === 3) h = h.split('').map((c) => c + c).join('')
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16))
}

const toHex = (rgb) => '#' + rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')

function luminance ([r, g, b]) {
  const lin = (v) => {
    v /= 255
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/** Contrast ratio of a colour against white. */
export const contrastWithWhite = (rgb) => 1.05 / (luminance(rgb) + 0.05)

/** A stable palette colour for a name or id. */
export function colorFor (key) {
  let h = 0
  for (const ch of String(key)) h = (h * 31 + ch.codePointAt(0)) >>> 0
  return PALETTE[h % PALETTE.length]
}

/**
 * Normalise any colour to `#rrggbb`, darkened until white text on it reaches 4.6:1.
 * @param {string} color
 * @param {string} [fallbackKey] used to pick a palette colour when `color` is not a hex colour
 */
export function accessibleColor (color, fallbackKey = '') {
  let rgb = parse(color)
  if (!rgb) return colorFor(fallbackKey)
  for (let i = 0; i < 40 && contrastWithWhite(rgb) < 4.6; i++) rgb = rgb.map((v) => v * 0.92)
  return toHex(rgb)
}

/** The translucent tint used behind a writer's selection. */
export const lightColor = (hex) => hex + '33'
