/** Progress reports of long engine work; every stage names itself. */
export interface Progress {
  stage: 'download' | 'prepare' | 'load' | 'generate' | 'attribute' | 'weights';
  done?: number;
  total?: number;
  message?: string;
}

export type ProgressCallback = (p: Progress) => void;
