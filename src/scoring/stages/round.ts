/** Rounding as the result shows numbers: scores to one decimal, shares to three. */
export const round1 = (x: number): number => Math.round(x * 10) / 10
export const round3 = (x: number): number => Math.round(x * 1000) / 1000
