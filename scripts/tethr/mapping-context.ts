/** Facts about the source org that every payload carries in its metadata. */
export interface MappingContext {
  orgId: string;
}
