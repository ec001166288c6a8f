import type { Text } from './questionnaire.schema.ts'

/** The text in the wanted language, falling back to English (which the loader guarantees). */
export function t(text: Text | undefined, lang = 'en'): string {
  if (text === undefined) return ''
  if (typeof text === 'string') return text
  return text[lang] ?? text.en ?? ''
}
