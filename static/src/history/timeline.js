/** Pure helpers of the history timeslider (no DOM), unit-tested in timeline.test.mjs. */

/** The next position when playing: `speed` updates on, never past `last`. */
export function nextPosition (current, speed, last) {
  const step = Math.max(1, Math.floor(Number(speed) || 1))
  return Math.min(last, current + step)
}

/** The index of the last phase boundary at or before `seq` (-1 before the first). */
export function phaseAt (boundaries, seq) {
  let found = -1
  boundaries.forEach((b, i) => { if (b.seq <= seq) found = i })
  return found
}

/** Build the coloured text into `container`: one span per (author, text) piece, text set as text. */
export function renderSegments (doc, container, segments, members, unknownLabel) {
  const fragment = doc.createDocumentFragment()
  for (const [author, piece] of segments) {
    const span = doc.createElement('span')
    const member = author == null ? null : members[String(author)]
    if (member) {
      span.className = 'by'
      span.style.setProperty('--by', member.color)
      span.title = member.name
    } else {
      span.className = 'by by--unknown'
      span.title = unknownLabel || ''
    }
    span.textContent = piece
    fragment.appendChild(span)
  }
  container.replaceChildren(fragment)
}
