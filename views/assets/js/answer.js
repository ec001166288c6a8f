// Enhances the section form: questions appear and disappear as their conditions change, and answers are
// saved in the background. The page works without this script; the server decides what counts.
;(() => {
  const form = document.getElementById('answer-form')
  if (!form) return
  const saved = JSON.parse(form.dataset.saved || '{}')

  // A routes table (corridors question) is read as the server stores it: one "NP:450:choice" (or "NP-MY:…") per
  // row that holds anything. An incomplete row is sent as it is, so that the server refuses the autosave and a
  // normal save names the row.
  function readRoutes(table) {
    const rows = []
    for (const tr of table.querySelectorAll('tbody tr')) {
      const get = (k) => (tr.querySelector(`[data-k="${k}"]`)?.value ?? '').trim()
      const [origin, destination, workers, choice] = ['origin', 'destination', 'workers', 'choice'].map(get)
      if (!origin && !destination && !workers && !choice) continue
      rows.push(`${origin}${table.dataset.destination ? `-${destination}` : ''}:${workers}:${choice}`)
    }
    return rows.length ? rows : undefined
  }

  function readValue(qid) {
    const table = form.querySelector(`[data-routes="${CSS.escape(qid)}"]`)
    if (table) return readRoutes(table)
    const inputs = form.querySelectorAll(`[name="a[${CSS.escape(qid)}]"]`)
    if (inputs.length === 0) return saved[qid]
    const first = inputs[0]
    if (first.type === 'checkbox') {
      const list = [...inputs].filter((i) => i.checked).map((i) => i.value)
      return list.length ? list : undefined
    }
    if (first.type === 'radio') {
      const checked = [...inputs].find((i) => i.checked)
      return checked && checked.value !== '' ? checked.value : undefined
    }
    if (first.value === '') return undefined
    return first.type === 'number' ? Number(first.value) : first.value
  }

  function applies(qid) {
    const box = form.querySelector(`[data-question="${CSS.escape(qid)}"]`)
    return !box?.hidden
  }

  function get(qid) {
    return applies(qid) ? readValue(qid) : undefined
  }

  function compare(op, a, b) {
    if (a === undefined || b === undefined) return false
    if (Array.isArray(a) || Array.isArray(b)) {
      const list = Array.isArray(a) ? a : b
      const other = Array.isArray(a) ? b : a
      if (op === '=') return list.includes(String(other))
      if (op === '!=') return !list.includes(String(other))
      return false
    }
    if (op === '=') return String(a) === String(b)
    if (op === '!=') return String(a) !== String(b)
    if (typeof a !== typeof b) return false
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b
  }

  function evaluate(e) {
    switch (e.k) {
      case 'or':
        return e.items.some(evaluate)
      case 'and':
        return e.items.every(evaluate)
      case 'not':
        return !evaluate(e.e)
      case 'bool':
        return e.v
      case 'answered': {
        const v = get(e.q)
        return v !== undefined && !(Array.isArray(v) && v.length === 0)
      }
      case 'selected': {
        const v = get(e.q)
        return Array.isArray(v) ? v.includes(e.choice) : v === e.choice
      }
      case 'cmp': {
        const val = (o) => (o.k === 'ref' ? get(o.q) : o.v)
        return compare(e.op, val(e.left), val(e.right))
      }
      default:
        return true
    }
  }

  const conditional = [...form.querySelectorAll('[data-when]')].map((box) => ({
    box,
    expr: JSON.parse(box.dataset.when),
  }))
  function refresh() {
    // Twice, so that a question depending on another conditional question settles.
    for (let round = 0; round < 2; round++) for (const c of conditional) c.box.hidden = !evaluate(c.expr)
  }

  const status = form.querySelector('.autosave-status')
  let timer
  let saving = false
  // A Save pressed while an autosave is on its way waits for it, so that the form posts the answer versions
  // the autosave got back instead of being refused as a stale copy of itself.
  let pendingSubmit = null
  async function autosave() {
    if (saving) return
    saving = true
    const answers = {}
    const comments = {}
    const versions = {}
    for (const box of form.querySelectorAll('[data-question]')) {
      const qid = box.dataset.question
      if (!form.querySelector(`[name="present[${CSS.escape(qid)}]"]`)) continue
      const v = readValue(qid)
      answers[qid] = v === undefined ? null : v
      const c = form.querySelector(`[name="c[${CSS.escape(qid)}]"]`)
      if (c) comments[qid] = c.value.trim() === '' ? null : c.value
      const ver = form.querySelector(`[name="v[${CSS.escape(qid)}]"]`)
      if (ver) versions[qid] = Number(ver.value)
    }
    try {
      const res = await fetch(`/api/v1/assessments/${form.dataset.assessment}/answers`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': form.querySelector('[name="_csrf"]').value },
        body: JSON.stringify({ answers, comments, versions }),
        credentials: 'same-origin',
      })
      const body = await res.json()
      if (res.ok) {
        for (const [qid, v] of Object.entries(body.versions || {})) {
          const ver = form.querySelector(`[name="v[${CSS.escape(qid)}]"]`)
          if (ver) ver.value = String(v)
        }
        if (status) status.textContent = `Saved automatically at ${new Date().toLocaleTimeString()}`
      } else if (status) {
        // Conflicts and invalid answers are explained by a normal save, which keeps what was typed.
        status.textContent = `Not saved automatically: ${body.message || res.status}. Use Save to see details.`
      }
    } catch {
      if (status) status.textContent = 'Offline: not saved. Your answers stay in the form.'
    } finally {
      saving = false
      if (pendingSubmit) {
        const button = pendingSubmit
        pendingSubmit = null
        form.requestSubmit(button)
      }
    }
  }

  form.addEventListener('submit', (ev) => {
    clearTimeout(timer)
    if (saving) {
      ev.preventDefault()
      // The form's own buttons: the evidence remove buttons inside it submit their own forms.
      pendingSubmit = ev.submitter || form.querySelector('.form-actions button[type="submit"]')
    }
  })

  form.addEventListener('change', (ev) => {
    refresh()
    if (ev.target && ev.target.type === 'file') {
      const max = Number(form.dataset.maxEvidence)
      const f = ev.target.files?.[0]
      if (f && f.size > max) ev.target.setCustomValidity(`This file is larger than ${Math.round(max / 1048576)} MB.`)
      else ev.target.setCustomValidity('')
      ev.target.reportValidity()
      return
    }
    clearTimeout(timer)
    timer = setTimeout(autosave, 1500)
  })
  refresh()
})()
