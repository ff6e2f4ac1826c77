import type { Resolvers } from '../generated/graphql';

export const userResolvers: Resolvers = {
  Query: {
    viewer: (_, __, { users }) => users.viewer(),
  },
  Mutation: {
    signUp: (_, { username, password }, { users }) => users.signUp(username, password),
    signIn: (_, { username, password }, { users }) => users.signIn(username, password),
    changePassword: (_, { currentPassword, newPassword }, { users }) => users.changePassword(currentPassword, newPassword),
    signOut: (_, { everywhere }, { users }) => users.signOut(everywhere ?? false),
  },
};
