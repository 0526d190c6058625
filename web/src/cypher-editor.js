// linklab's Cypher editor: CodeMirror 6 with Neo4j's own Cypher support (@neo4j-cypher/codemirror), bundled as
// window.LinklabCypher, no framework needed.
//
//   const editor = LinklabCypher.create(parent, {value, schema, onRun, placeholder})
//     schema: {labels: [...], relationshipTypes: [...], propertyKeys: [...], parameters: [...]}
//     onRun(text): called on Ctrl+Enter (Cmd+Enter on a Mac)
//   editor.getValue(), editor.setValue(text), editor.setSchema(schema), editor.focus(), editor.destroy()
//   editor.api   the @neo4j-cypher/codemirror EditorApi, editor.view the CodeMirror EditorView
//
// Completion opens as one types (labels after ":", relationship types after "[:", properties after ".", parameters
// after "$"), and again while a name is typed after one of them, without Ctrl+Space.

import { completionStatus, startCompletion } from "@codemirror/autocomplete";
import { Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { createCypherEditor } from "@neo4j-cypher/codemirror";
import "@neo4j-cypher/codemirror/css/cypher-codemirror.css";

function cleanSchema(schema = {}) {
  const list = (xs) => (Array.isArray(xs) ? xs.map(String) : []);
  return {
    labels: list(schema.labels).map((l) => (l.startsWith(":") ? l : `:${l}`)),
    relationshipTypes: list(schema.relationshipTypes).map((t) => (t.startsWith(":") ? t : `:${t}`)),
    propertyKeys: list(schema.propertyKeys),
    parameters: list(schema.parameters),
    functions: schema.functions || [],
    procedures: schema.procedures || [],
  };
}

export function create(parent, options = {}) {
  let api = null;
  // Highest precedence: Ctrl+Enter must run the query, not insert a line or accept a completion.
  const runKeys = Prec.highest(
    keymap.of([{
      key: "Mod-Enter",
      preventDefault: true,
      run: () => { if (options.onRun) options.onRun(api.codemirror.state.doc.toString()); return true; },
    }]),
  );
  // Typing a name after ":", "." or "$" keeps the completion list open (Neo4j's editor opens it on the sign only).
  const completeWhileTyping = EditorView.updateListener.of((update) => {
    if (!update.docChanged || !update.transactions.some((tr) => tr.isUserEvent("input.type"))) return;
    const { state } = update.view;
    const at = state.selection.main.head;
    const before = state.sliceDoc(Math.max(0, at - 40), at);
    if (/[:.$][A-Za-z_][A-Za-z0-9_]*$/.test(before) && completionStatus(state) === null) {
      setTimeout(() => startCompletion(update.view), 0);
    }
  });
  ({ editor: api } = createCypherEditor(parent, {
    value: options.value || "",
    schema: cleanSchema(options.schema),
    placeholder: options.placeholder,
    lineNumbers: options.lineNumbers ?? true,
    lineNumberFormatter: (line) => String(line),  // plain numbers, not Neo4j Browser's "$" prompt
    lineWrapping: true,
    autocomplete: true,
    autocompleteCloseOnBlur: true,
    lint: options.lint ?? true,
    theme: "light",
    tabKey: true,
    preExtensions: [runKeys, completeWhileTyping],
  }));
  return {
    api,
    view: api.codemirror,
    getValue: () => api.codemirror.state.doc.toString(),
    setValue: (text) => api.setValue(text),
    setSchema: (schema) => api.setSchema(cleanSchema(schema)),
    focus: () => api.focus(),
    destroy: () => api.destroy(),
  };
}

export const versions = __VERSIONS__;
