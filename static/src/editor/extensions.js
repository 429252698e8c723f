/**
 * The editor's CodeMirror extensions: Markdown, the Yjs binding (y-codemirror.next) with its undo manager,
 * the translated label and placeholder, the language of the text, and whether it may be edited.
 */
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import { EditorState } from '@codemirror/state'
import {
  EditorView, keymap, drawSelection, dropCursor, highlightSpecialChars, placeholder as placeholderExt
} from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { syntaxHighlighting } from '@codemirror/language'
import { markdownSupport, plumeHighlight } from './highlight.js'

/** What the `editability` compartment holds for `w` (writable or not). */
export const editabilityFor = (w) => [
  EditorState.readOnly.of(!w),
  EditorView.editable.of(w),
  // Read-only content stays reachable with the keyboard (to read, select and copy).
  EditorView.contentAttributes.of(w ? {} : { tabindex: '0' })
]

/** The content's attributes: its label, the language of the host (or the page), spelling on. */
export function contentAttributesFor (el, label) {
  const lang = el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || undefined
  const attributes = {
    'aria-label': label,
    'aria-multiline': 'true',
    spellcheck: 'true',
    autocorrect: 'on',
    autocapitalize: 'sentences'
  }
  if (lang) attributes.lang = lang
  return attributes
}

/**
 * @param {{ytext, awareness, undoManager, strings: object, contentAttributes: object, editability,
 *          phrases?: object, onDocChanged: () => void}} opts
 */
export function editorExtensions ({ ytext, awareness, undoManager, strings, contentAttributes, editability, phrases, onDocChanged }) {
  return [
    highlightSpecialChars(),
    drawSelection(),
    dropCursor(),
    EditorView.lineWrapping,
    markdownSupport(),
    syntaxHighlighting(plumeHighlight),
    placeholderExt(strings.placeholder),
    // Y.UndoManager edits the Y.Text directly, past CodeMirror's readOnly: refuse undo/redo when locked.
    keymap.of([
      ...yUndoManagerKeymap.map((binding) => ({ ...binding, run: (v) => (v.state.readOnly ? true : binding.run(v)) })),
      ...defaultKeymap
    ]),
    yCollab(ytext, awareness, { undoManager }),
    EditorView.contentAttributes.of(contentAttributes),
    editability.of(editabilityFor(false)),
    phrases ? EditorState.phrases.of(phrases) : [],
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onDocChanged()
    })
  ]
}
