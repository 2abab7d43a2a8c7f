declare module "socket.io-msgpack-parser";
