// Loaded with `node --require` before Microsoft 365 Agents Playground, to keep it on
// loopback. The Playground listens on every network interface and has no option to
// change that, and it forwards whatever it is sent to the bot, which in local
// development mode checks no tokens: anyone on the same network could act as any
// configured user. A listen() call without an address gets 127.0.0.1 instead.
"use strict";

const net = require("net");

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (typeof second !== "string") {
      args.splice(1, 0, "127.0.0.1");
    }
  } else if (first && typeof first === "object" && first.path === undefined && !first.host) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
