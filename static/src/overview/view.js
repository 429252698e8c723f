/**
 * The overview's cards, one per workshop, built once with `el` and then updated in place (text and classes
 * only when they change), so that a second's tick over 40 workshops touches little and keeps the focus.
 */
import { el, setText } from '../dom.js'
import { format, plural } from '../strings.js'
import { alertsOf, countdown, groupState, isLive, lateSeconds, secondsLeft } from './model.js'

const STATUS_CLASS = { running: 'ov-card--running', paused: 'ov-card--paused', finished: 'ov-card--finished' }

function phaseText (row, s) {
  if (row.ended) return s.finished || 'Over'
  if (row.status === 'not_started') return s.notStarted || 'Not started yet'
  const step = format(s.phaseOf || 'Phase {number} of {count}', { number: row.phase_index + 1, count: row.phase_count })
  return row.phase_title ? `${step} · ${row.phase_title}` : step
}

function timeText (row, now, s) {
  const left = secondsLeft(row, now)
  if (left == null) return ''
  if (left <= 0 && row.status === 'running') return s.overtime || 'Time is up'
  const time = format(s.left || '{time} left', { time: countdown(left) })
  return row.status === 'paused' ? `${s.paused || 'Paused'} · ${time}` : time
}

function groupLabel (group, state, now, s) {
  const words = {
    writing: s.writing || 'writing',
    quiet: s.quiet || 'nothing written yet',
    empty: s.empty || 'nobody connected',
    calling: s.calling || 'calls the facilitator',
    idle: format(s.idle || 'idle for {minutes} min', { minutes: Math.floor((now - Date.parse(group.last_activity_at)) / 60000) })
  }[state]
  const people = format(s.connected || '{count} of {total} connected', { count: group.connected, total: group.joined })
  return `${group.name}: ${words}; ${people}; ${plural(s.words || '{count} words', group.words)}`
}

function createCard (row) {
  const parts = {
    title: null,
    phase: el('span'),
    time: el('span', { class: 'ov-card__time' }),
    people: el('span', { class: 'ov-card__people' }),
    figures: el('span', { class: 'ov-card__figures' }),
    late: el('p', { class: 'ov-card__line ov-card__late', hidden: true }),
    groups: el('ul', { class: 'ov-card__groups' }),
    groupsKey: ''
  }
  parts.title = row.console_url
    ? el('a', { class: 'ov-card__title', href: row.console_url })
    : el('span', { class: 'ov-card__title' })
  const node = el(
    'li',
    { class: 'ov-card', 'data-workshop': row.id },
    parts.title,
    el('p', { class: 'ov-card__line' }, parts.phase, parts.time),
    el('p', { class: 'ov-card__line' }, parts.people, parts.figures),
    parts.late,
    parts.groups
  )
  return { node, parts }
}

function updateCard (card, row, now, limits, s) {
  const { node, parts } = card
  const alerts = alertsOf(row, now, limits)
  const cls = ['ov-card', STATUS_CLASS[row.ended ? 'finished' : row.status] || '', alerts.length ? 'ov-card--alert' : '']
  const className = cls.filter(Boolean).join(' ')
  if (node.className !== className) node.className = className
  node.dataset.status = row.status
  node.dataset.phase = String(row.phase_index)
  setText(parts.title, row.title)
  if (!row.console_url) parts.title.title = s.notYours || ''
  setText(parts.phase, phaseText(row, s))
  setText(parts.time, timeText(row, now, s))
  parts.time.classList.toggle('ov-card__time--over', row.status === 'running' && (secondsLeft(row, now) ?? 1) <= 0)
  setText(parts.people, format(s.connectedShort || '{count}/{total} connected', { count: row.connected, total: row.joined }))
  const figures = `${plural(s.words || '{count} words', row.words)} · ${plural(s.comments || '{count} comments', row.comments)}`
  setText(parts.figures, figures)
  if (parts.figures.title !== figures) parts.figures.title = figures
  const late = lateSeconds(row, now)
  const lateShown = isLive(row) && late > limits.late_seconds
  parts.late.hidden = !lateShown
  if (lateShown) setText(parts.late, format(s.late || '{minutes} min behind the agenda', { minutes: Math.floor(late / 60) }))
  const groups = (row.groups || []).map((group, index) => {
    const state = groupState(group, row, now, limits.idle_seconds)
    return { group, index, state, label: groupLabel(group, state, now, s) }
  })
  const key = JSON.stringify(groups.map((g) => [g.state, g.label]))
  if (key !== parts.groupsKey) {
    parts.groupsKey = key
    parts.groups.replaceChildren(
      ...groups.map((g) =>
        el('li', { class: `chip chip--${g.state}`, title: g.label, 'aria-label': g.label, 'data-group': g.group.id, 'data-state': g.state }, String(g.index + 1))
      )
    )
  }
  return alerts
}

/** Render every row into `grid` (cards kept in `cards`, id → card) and the alerts into `list`. */
export function render ({ grid, list, cards, rows, now, limits, s }) {
  const ordered = [...rows.values()].sort((a, b) => a.id - b.id)
  const alerts = []
  ordered.forEach((row, index) => {
    let card = cards.get(row.id)
    if (!card) {
      card = createCard(row)
      cards.set(row.id, card)
    }
    if (grid.children[index] !== card.node) grid.insertBefore(card.node, grid.children[index] || null)
    for (const alert of updateCard(card, row, now, limits, s)) alerts.push({ row, alert })
  })
  renderAlerts(list, alerts, now, s)
  return alerts
}

function alertText (row, alert, s) {
  if (alert.kind === 'late') return format(s.alertLate || '{minutes} min behind the agenda', { minutes: alert.minutes })
  const template = alert.kind === 'calling' ? s.alertCalling || '{group} calls the facilitator' : s.alertEmpty || '{group}: nobody connected'
  return format(template, { group: alert.group.name })
}

function renderAlerts (list, alerts, now, s) {
  const key = JSON.stringify(alerts.map(({ row, alert }) => [row.id, alert.kind, alert.minutes, alert.group?.id]))
  if (list.dataset.key === key) return
  list.dataset.key = key
  if (!alerts.length) {
    list.replaceChildren(el('li', { class: 'alert--none' }, s.noAlerts || 'No alert.'))
    return
  }
  list.replaceChildren(
    ...alerts.map(({ row, alert }) => {
      const where = row.console_url ? el('a', { href: row.console_url }, row.title) : el('strong', {}, row.title)
      return el('li', { class: `alert--${alert.kind}`, 'data-alert': alert.kind, 'data-workshop': row.id }, where, ` · ${alertText(row, alert, s)}`)
    })
  )
}
