export async function transcriptsBench(): Promise<string[]> {
  return [];
}
