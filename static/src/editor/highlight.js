/** The editor's Markdown: highlighting with AA contrast on the white page, and its keys. */
import { Prec } from '@codemirror/state'
import { keymap } from '@codemirror/view'
import { LanguageSupport, HighlightStyle } from '@codemirror/language'
import { markdownLanguage, markdownKeymap, pasteURLAsLink } from '@codemirror/lang-markdown'
import { tags as t } from '@lezer/highlight'

/** Markdown highlighting with AA contrast on the white page (markup characters muted, not hidden). */
export const plumeHighlight = HighlightStyle.define([
  { tag: t.heading1, fontSize: '1.4em', fontWeight: '700' },
  { tag: t.heading2, fontSize: '1.25em', fontWeight: '700' },
  { tag: t.heading3, fontSize: '1.1em', fontWeight: '700' },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: '700' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: '#9a3412', textDecoration: 'underline' },
  { tag: t.monospace, fontFamily: 'var(--mono, monospace)', color: '#1e3a8a' },
  { tag: t.quote, color: '#4a4540', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.meta, t.contentSeparator, t.labelName], color: '#5f5850' },
  { tag: t.comment, color: '#5f5850', fontStyle: 'italic' }
])

export const markdownSupport = () => new LanguageSupport(markdownLanguage, [
  Prec.high(keymap.of(markdownKeymap)), // Enter continues lists and quotes, Backspace removes markup
  pasteURLAsLink
])
