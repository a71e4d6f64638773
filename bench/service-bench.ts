export async function densityBench(_dir: string): Promise<string[]> {
  return [];
}
