/** Where a redirect goes when the requested place is not on this site (or none was asked for). */
export const DEFAULT_AFTER_SIGN_IN = '/assessments'

// Stands in for this site when no PUBLIC_URL is configured. Only the comparison of origins matters, and the
// request's Host header must not decide it (the caller chooses that header).
const PLACEHOLDER_ORIGIN = 'http://fairhire.invalid'

/**
 * The path on this site that `next` points to, or `fallback`. `next` is resolved the way a browser resolves
 * a Location header (the WHATWG URL parser: tabs and newlines dropped, a backslash read as a slash, `//host`
 * read as another host), so what is checked is where the browser would go, not what the text looks like.
 * Only the path, query and fragment are sent back, re-serialised by the parser, so nothing the check did not
 * see can reach the header. A path that would itself start with `//` (`/.//evil.example` resolves to one)
 * is refused: sent as a relative Location it would name another host.
 */
export function sameSitePath(next: string | undefined, ownOrigin: string | null, fallback: string): string {
  if (!next) return fallback
  const base = ownOrigin ?? PLACEHOLDER_ORIGIN
  let url: URL
  try {
    url = new URL(next, base)
  } catch {
    return fallback
  }
  if (url.origin !== new URL(base).origin) return fallback
  const path = `${url.pathname}${url.search}${url.hash}`
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return fallback
  return path
}
