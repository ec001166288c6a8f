// Follows a background export on its page: every two seconds fetches the page again and swaps in the export's
// part (status, progress bar, then the download link), so the wording stays the server's. Stops once the export
// has finished. Without this script the page offers a Refresh link instead.
;(() => {
  const unfinished = (el) => el && ['queued', 'running'].includes(el.dataset.status)
  if (!unfinished(document.querySelector('[data-export]'))) return
  async function poll() {
    try {
      const res = await fetch(location.pathname, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      if (res.ok) {
        const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('[data-export]')
        const current = document.querySelector('[data-export]')
        if (next && current) {
          current.replaceWith(next)
          if (!unfinished(next)) return
        }
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    }
    setTimeout(poll, 2000)
  }
  setTimeout(poll, 2000)
})()
