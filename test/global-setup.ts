// Replaced by the local-runtime global setup (issue 4).
export default function setup(): void {}
