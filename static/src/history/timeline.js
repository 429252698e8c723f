/** Pure helpers of the history timeslider (no DOM), unit-tested in timeline.test.mjs. */

/** The next position when playing: `speed` updates on, never past `last`. */
export function nextPosition (current, speed, last) {
  const step = Math.max(1, Math.floor(Number(speed) || 1))
  return Math.min(last, current + step)
}

/** The phase in which update `seq` was written: the index of the first phase end (`boundaries`, their
 * checkpoints' seqs, in order) at or after it; -1 after the last one (a phase not ended yet). The last end
 * before it names the phase before (issue 28: an update typed during Signals was labelled "Welcome"). */
export function phaseOf (boundaries, seq) {
  return boundaries.findIndex((b) => b.seq >= seq)
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
