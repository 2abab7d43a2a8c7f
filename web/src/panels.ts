// The room's panels beyond the stage, the agenda and the speakers, with the moments shown over them:
// fetched once the join screen shows (room.tsx loadPanels), so that on a slow link a member can join first.
export { Chat } from "./chat";
export { Console } from "./console";
export { Elections } from "./elections";
export { Minutes } from "./minutes";
export { Moments } from "./moments";
export { ItemMotions, Motions, Votes } from "./motions";
export { People } from "./people";
