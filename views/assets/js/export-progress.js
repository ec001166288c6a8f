// Follows a background export on its page: every two seconds fetches the page again and takes its details
// (progress bar and count, then the download link) and its status line, so the wording stays the server's. The
// status line is a live region that stays in place, so a screen reader hears each change of status. Stops once
// the export has finished. Without this script the page offers a Refresh link instead.
;(() => {
  const unfinished = (el) => el && ['queued', 'running'].includes(el.dataset.status)
  const box = document.querySelector('[data-export]')
  if (!unfinished(box)) return
  async function poll() {
    try {
      const res = await fetch(location.pathname, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      if (res.ok) {
        const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('[data-export]')
        if (next) {
          const status = box.querySelector('#export-status')
          const nextStatus = next.querySelector('#export-status')
          if (status && nextStatus && status.textContent !== nextStatus.textContent)
            status.textContent = nextStatus.textContent
          const details = box.querySelector('#export-details')
          const nextDetails = next.querySelector('#export-details')
          if (details && nextDetails) details.replaceWith(document.adoptNode(nextDetails))
          box.dataset.status = next.dataset.status
          if (!unfinished(box)) return
        }
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    }
    setTimeout(poll, 2000)
  }
  setTimeout(poll, 2000)
})()
