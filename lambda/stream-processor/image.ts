import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { TABLE_LAYOUT } from '../../src/contract/table';

/**
 * Reading the images of a stream record: decoding them and taking typed fields
 * out, each problem named (`NewImage.version is not a positive integer`) and
 * collected, never thrown, so that a record that cannot be read is dead-lettered
 * with every reason at once.
 */

/** A decoded item image. */
export type Image = Record<string, unknown>;

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The record's sort key, from Keys (always there on a real record) or else the image that carries one. */
export function sortKeyOf(record: DynamoDBRecord): string | undefined {
  const change = record.dynamodb;
  const { sortKey: name } = TABLE_LAYOUT;
  const sortKey = change?.Keys?.[name]?.S ?? change?.NewImage?.[name]?.S ?? change?.OldImage?.[name]?.S;
  return typeof sortKey === 'string' ? sortKey : undefined;
}

export function decodeImage(image: StreamImage | undefined, name: string, problems: string[]): Image | undefined {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) {
    problems.push(`${name} is missing (the stream must be NEW_AND_OLD_IMAGES)`);
    return undefined;
  }
  try {
    return unmarshall(image as unknown as Parameters<typeof unmarshall>[0]);
  } catch (error) {
    problems.push(`${name} is not a DynamoDB item image: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export function requireString(image: Image, field: string, name: string, problems: string[]): string | undefined {
  const value = image[field];
  if (typeof value === 'string' && value.length > 0) return value;
  problems.push(`${name}.${field} ${value === undefined ? 'is missing' : 'is not a non-empty string'}`);
  return undefined;
}

export function requireLocation(image: Image, name: string, problems: string[]): { lat: number; lng: number } | undefined {
  const location = image.location as Record<string, unknown> | undefined;
  const lat = location?.lat;
  const lng = location?.lng;
  if (typeof lat === 'number' && Number.isFinite(lat) && typeof lng === 'number' && Number.isFinite(lng)) return { lat, lng };
  problems.push(`${name}.location is not {lat: number, lng: number}`);
  return undefined;
}

export function requireVersion(image: Image, name: string, problems: string[]): number | undefined {
  return requirePositiveInteger(image, 'version', name, problems);
}

/** A number attribute holding a positive safe integer. */
export function requirePositiveInteger(image: Image, field: string, name: string, problems: string[]): number | undefined {
  const value = image[field];
  // unmarshall turns an unparsable N into NaN and a huge one into a bigint.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  problems.push(`${name}.${field} ${value === undefined ? 'is missing' : 'is not a positive integer'}`);
  return undefined;
}

/** A string attribute holding a UTC ISO-8601 time with ms, as the handler stores every time. */
export function requireIsoTime(image: Image, field: string, name: string, problems: string[]): string | undefined {
  const value = image[field];
  if (typeof value === 'string' && ISO_MILLIS.test(value) && Number.isFinite(Date.parse(value))) return value;
  problems.push(`${name}.${field} ${value === undefined ? 'is missing' : 'is not a UTC ISO-8601 time with ms'}`);
  return undefined;
}

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
