/**
 * Typed custom search attributes, so operators can list e.g. every nomination of a province waiting on documents.
 * They must exist on the server before workflows use them: the dev server registers them at start
 * (embedded/dev-server.ts) and docker-compose.yml registers them with the admin tools.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CycleKey = defineSearchAttributeKey('OvopCycle', SearchAttributeType.KEYWORD);
export const StageKey = defineSearchAttributeKey('OvopStage', SearchAttributeType.KEYWORD);
export const ProvinceKey = defineSearchAttributeKey('OvopProvince', SearchAttributeType.KEYWORD);
export const RegencyKey = defineSearchAttributeKey('OvopRegency', SearchAttributeType.KEYWORD);
export const CommodityKey = defineSearchAttributeKey('OvopCommodity', SearchAttributeType.KEYWORD);
export const StarsKey = defineSearchAttributeKey('OvopStars', SearchAttributeType.INT);

export const OVOP_SEARCH_ATTRIBUTES = [CycleKey, StageKey, ProvinceKey, RegencyKey, CommodityKey, StarsKey];

/** Server-side type names as `temporal server start-dev --search-attribute` expects them. */
export const SEARCH_ATTRIBUTE_FLAGS = OVOP_SEARCH_ATTRIBUTES.map(
  (key) => `${key.name}=${key.type === SearchAttributeType.INT ? 'Int' : 'Keyword'}`,
);
