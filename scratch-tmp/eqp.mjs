import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
const db = new Database(process.argv[2], { readonly: true })
console.log(db.prepare('select sqlite_version() v').get())
const q = readFileSync(process.argv[3], 'utf8')
for (const r of db.prepare('explain query plan ' + q).all()) console.log(r.id, r.parent, r.detail)
let t = performance.now(); const rows = db.prepare(q).all(); console.log('literal ms', performance.now() - t, rows.length)
