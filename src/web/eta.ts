import { Eta } from 'eta'

// The include function eta compiles into every template: the included template gets the whole of `it`, spread.
const INCLUDE = 'let include = (__eta_t, __eta_d) => this.render(__eta_t, {...it, ...(__eta_d ?? {})}, options);'

// A partial (views/partials/) gets what it is passed plus the page context partials read (messages, formats,
// the CSRF token), not the page's whole model: spreading a section page's model into each of its inputs'
// partials tripled the page's render time. The layout is still given the whole page.
const PARTIAL_INCLUDE =
  "let include = (__eta_t, __eta_d) => this.render(__eta_t, __eta_t.startsWith('/partials/') ? { m: it.m, fmt: it.fmt, csrfToken: it.csrfToken, ...__eta_d } : {...it, ...(__eta_d ?? {})}, options);"

const partialsGetWhatTheyArePassed = {
  processFnString(fn: string): string {
    // Fails on the first template compiled if an eta upgrade changes the generated include.
    if (!fn.includes(INCLUDE)) throw new Error('eta no longer compiles include() as views/partials/ expects')
    return fn.replace(INCLUDE, PARTIAL_INCLUDE)
  },
}

/** The template engine of the pages: views/, compiled once and cached, escaped by default (`<%= %>`). */
export function createEta(views: string): Eta {
  const eta = new Eta({ views, cache: true, autoTrim: [false, 'nl'], plugins: [partialsGetWhatTheyArePassed] })
  // A path from the views root ('/partials/rating', '/layout') names the same file from every template, so it
  // is resolved once, not on each include (eta's own cache keys it by a JSON string built per call).
  const resolve = eta.resolvePath
  const fromRoot = new Map<string, string>()
  eta.resolvePath = function (template, options) {
    if (!template.startsWith('/')) return resolve.call(this, template, options)
    let file = fromRoot.get(template)
    if (file === undefined) {
      file = resolve.call(this, template, options)
      fromRoot.set(template, file)
    }
    return file
  }
  return eta
}
