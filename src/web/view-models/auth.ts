import { type Page, viewModel } from './page.ts'

/** views/pages/auth/login.eta */
export type LoginPage = Page & {
  /** Where to go after signing in. */
  next: string
  email: string
  error: string | null
}
export const loginPage = viewModel<LoginPage>()

/** views/pages/auth/setup.eta: the first organisation and its administrator, on an empty database. */
export type SetupPage = Page & {
  /** What was typed, shown again when the form is refused (never the password). */
  values: { organisation?: string; kind?: string; name?: string; email?: string; password?: string }
  error: string | null
  field?: string
  minLength: number
}
export const setupPage = viewModel<SetupPage>()

/** views/pages/auth/password.eta */
export type PasswordPage = Page & { error: string | null; done: boolean; minLength: number }
export const passwordPage = viewModel<PasswordPage>()
