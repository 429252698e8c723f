/**
 * A short chime when a phase's time is up, made with Web Audio (no sound file to load, works offline).
 * Each person can mute it; the choice is kept on the device (localStorage `plume:chime-muted`).
 */
const KEY = 'plume:chime-muted'

export function isMuted () {
  try { return localStorage.getItem(KEY) === '1' } catch { return false }
}

export function setMuted (muted) {
  try {
    if (muted) localStorage.setItem(KEY, '1')
    else localStorage.removeItem(KEY)
  } catch { /* no storage: muted for this page only */ }
}

let context = null
function audio () {
  const Context = window.AudioContext || window.webkitAudioContext
  if (!Context) return null
  if (!context) context = new Context()
  return context
}

/** Browsers start sound only after a gesture: unlock the audio context on the first one. */
export function unlockOnGesture () {
  const unlock = () => {
    const ctx = audio()
    if (ctx && ctx.state === 'suspended') ctx.resume().catch(() => {})
  }
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, unlock, { once: true, capture: true })
}

/** Two soft notes, under a second; returns whether it played (false when muted or without audio). */
export function chime () {
  if (isMuted()) return false
  const ctx = audio()
  if (!ctx || ctx.state !== 'running') return false
  const start = ctx.currentTime
  for (const [i, frequency] of [880, 660].entries()) {
    const osc = ctx.createOscillator()
    const gain = ctx.createGain()
    osc.type = 'sine'
    osc.frequency.value = frequency
    const at = start + i * 0.28
    gain.gain.setValueAtTime(0.0001, at)
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.5)
    osc.connect(gain).connect(ctx.destination)
    osc.start(at)
    osc.stop(at + 0.55)
  }
  return true
}

/** Wire a [data-chime-toggle] button (aria-pressed = muted) with its two labels. */
export function bindMuteButton (button, t) {
  if (!button) return
  const render = () => {
    const muted = isMuted()
    button.setAttribute('aria-pressed', String(muted))
    button.textContent = muted ? t.chimeMuted : t.chimeOn
  }
  button.addEventListener('click', () => {
    setMuted(!isMuted())
    render()
  })
  render()
}
