/**
 * The demo cycle's nominations: the four Bintang-5 IKM named in a 2020 news report of the socialization round (Garut, Tanah Datar, Yogyakarta,
 * Lombok Barat), plus generated nominations across several provinces. Each carries a scripted behaviour, so the demo
 * shows the happy path and the deadline, revision and withdrawal branches.
 */
import type { Commodity, NominationInput } from '../domain/types';

export type DemoScript = 'excellent' | 'good' | 'average' | 'revision' | 'late-attendance' | 'withdraw';

export interface DemoNomination {
  input: Omit<NominationInput, 'cycleId' | 'nominatedBy'>;
  script: DemoScript;
}

const SEED: DemoNomination[] = [
  {
    script: 'excellent',
    input: {
      regencyCode: '32.05',
      ikmName: 'PT. Tama Cokelat Indonesia',
      sentraName: 'Sentra Dodol Garut',
      commodity: 'makanan_minuman',
      product: 'Cokelat dodol',
      sentraSize: 40,
    },
  },
  {
    script: 'excellent',
    input: {
      regencyCode: '13.04',
      ikmName: 'Tenun Antik Hj. Fatimah Sayuthi',
      sentraName: 'Sentra Tenun Pandai Sikek',
      commodity: 'kain_tenun',
      product: 'Kain tenun songket',
      sentraSize: 25,
    },
  },
  {
    script: 'excellent',
    input: {
      regencyCode: '34.71',
      ikmName: 'Batik Winotosastro',
      sentraName: 'Sentra Batik Yogyakarta',
      commodity: 'kain_batik',
      product: 'Kain batik tulis',
      sentraSize: 30,
    },
  },
  {
    script: 'excellent',
    input: {
      regencyCode: '52.01',
      ikmName: 'UD. Mawar Art Shop',
      sentraName: 'Sentra Anyaman Ketak Lombok Barat',
      commodity: 'anyaman',
      product: 'Anyaman ketak',
      sentraSize: 18,
    },
  },
];

/** Generated nominations: real regency codes, plausible products, a spread of scripts. */
const GENERATED: [string, string, Commodity, string, DemoScript][] = [
  ['33.26', 'Batik Pesisir Pekalongan', 'kain_batik', 'Batik cap pesisiran', 'good'],
  ['35.07', 'Gerabah Dinoyo Malang', 'gerabah', 'Gerabah hias', 'average'],
  ['73.71', 'Sutera Mandar Makassar', 'kain_tenun', 'Kain sutera', 'good'],
  ['51.04', 'Anyaman Bambu Tegallalang', 'anyaman', 'Anyaman bambu', 'revision'],
  ['12.17', 'Ulos Harungguan Samosir', 'kain_tenun', 'Kain ulos', 'average'],
  ['61.71', 'Kerupuk Basah Pontianak', 'makanan_minuman', 'Kerupuk basah', 'good'],
  ['36.03', 'Gerabah Tangerang Bumi Asri', 'gerabah', 'Gerabah tanah liat', 'late-attendance'],
  ['74.71', 'Tenun Buton Kendari', 'kain_tenun', 'Tenun Buton', 'average'],
  ['18.71', 'Keripik Pisang Lampung Jaya', 'makanan_minuman', 'Keripik pisang', 'withdraw'],
  ['32.73', 'Kopi Java Preanger Bandung', 'makanan_minuman', 'Kopi bubuk', 'good'],
  ['53.71', 'Tenun Ikat Kupang Lestari', 'kain_tenun', 'Tenun ikat', 'revision'],
  ['34.02', 'Gerabah Kasongan Bantul', 'gerabah', 'Gerabah Kasongan', 'excellent'],
];

export function demoNominations(): DemoNomination[] {
  return [
    ...SEED,
    ...GENERATED.map(([regencyCode, ikmName, commodity, product, script]) => ({
      script,
      input: {
        regencyCode,
        ikmName,
        sentraName: `Sentra ${product}`,
        commodity,
        product,
        sentraSize: 8 + (ikmName.length % 20),
      },
    })),
  ];
}
