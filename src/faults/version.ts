/** The Toxiproxy release whose HTTP API the embedded fault server speaks, byte for byte. */
export const toxiproxyVersion = '2.12.0';
