// The seeded answer generator lives with the demo data; benchmarks use the same one.
export * from '../src/demo/answers-generator.ts'
