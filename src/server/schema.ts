import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { mergeResolvers } from '@graphql-tools/merge';
import type { GraphQLSchema } from 'graphql';
import { projectRoot } from '../config';
import { eventResolvers } from '../events/event.resolvers';
import { membershipResolvers } from '../memberships/membership.resolvers';
import { timelineResolvers } from '../timelines/timeline.resolvers';
import { userResolvers } from '../users/user.resolvers';
import { DateTime } from './date-time.scalar';

const schemaDir = join(projectRoot, 'schema');

/** The SDL of every feature (`schema/*.graphql`), as one document list. */
export function loadTypeDefs(): string[] {
  return readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(schemaDir, file), 'utf8'));
}

/** The scalar's behaviour alone: given the GraphQLScalarType itself, graphql-tools would replace the SDL's description with its own (none). */
const { serialize, parseValue, parseLiteral } = DateTime;

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: mergeResolvers([{ DateTime: { serialize, parseValue, parseLiteral } }, userResolvers, timelineResolvers, eventResolvers, membershipResolvers]),
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
