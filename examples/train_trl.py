#!/usr/bin/env python3
"""Train a Hugging Face model with TRL on the datasets PrefSuite exports.

    prefsuite export -i pairs.jsonl --what dpo -o dpo.parquet    # pairs routed to the preference loss
    prefsuite export -i pairs.jsonl --what sft -o sft.parquet    # small-margin pairs routed to SFT (prompt/completion)
    python examples/train_trl.py --model Qwen/Qwen2.5-0.5B-Instruct --dpo dpo.parquet --sft sft.parquet

Stage 1 trains SFTTrainer on the SFT-routed pairs (the chosen response as the completion); stage 2 trains DPOTrainer on
the DPO-routed pairs from the stage-1 model. PrefSuite writes routed pairs in curriculum order (easy -> hard, by
margin); both stages keep that order unless --shuffle is given. Files may be JSONL or Parquet, string or conversational.

Columns: DPOTrainer reads prompt/chosen/rejected; the rest (score_chosen, score_margin, route, ...) is dropped here.
PrefSuite names its score gap "score_margin", not "margin": TRL's RewardTrainer subtracts a column named "margin" inside
its loss, so a reward-model run on these files trains the plain Bradley-Terry loss unless you rename it on purpose
(dataset.rename_column("score_margin", "margin"), scaled to your reward model's units).
Needs: pip install trl datasets transformers torch
"""
import argparse

import torch
from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer


def load(path):
    return load_dataset("parquet" if path.endswith(".parquet") else "json", data_files=path, split="train")


class InOrder:
    """Reads the dataset in its file order instead of shuffling it (PrefSuite's curriculum)."""

    def _get_train_sampler(self, *args, **kwargs):
        return torch.utils.data.SequentialSampler(self.train_dataset)


class CurriculumSFTTrainer(InOrder, SFTTrainer):
    pass


class CurriculumDPOTrainer(InOrder, DPOTrainer):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="Hugging Face model id or folder")
    parser.add_argument("--dpo", required=True, help="pairs for DPO (prefsuite export --what dpo)")
    parser.add_argument("--sft", help="prompt/completion rows (prefsuite export --what sft)")
    parser.add_argument("--output-dir", default="trl-output")
    parser.add_argument("--beta", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=5e-7)
    parser.add_argument("--sft-learning-rate", type=float, default=1e-5)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--shuffle", action="store_true", help="shuffle instead of keeping the curriculum order")
    args = parser.parse_args()

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(args.model)

    if args.sft:
        sft = load(args.sft).select_columns(["prompt", "completion"])
        trainer = (SFTTrainer if args.shuffle else CurriculumSFTTrainer)(
            model=model,
            args=SFTConfig(output_dir=f"{args.output_dir}/sft", num_train_epochs=args.epochs, learning_rate=args.sft_learning_rate,
                           per_device_train_batch_size=args.batch_size, logging_steps=10, report_to="none"),
            train_dataset=sft,
            processing_class=tokenizer,
        )
        trainer.train()
        model = trainer.model

    dpo = load(args.dpo).select_columns(["prompt", "chosen", "rejected"])
    trainer = (DPOTrainer if args.shuffle else CurriculumDPOTrainer)(
        model=model,
        args=DPOConfig(output_dir=f"{args.output_dir}/dpo", beta=args.beta, num_train_epochs=args.epochs, learning_rate=args.learning_rate,
                       per_device_train_batch_size=args.batch_size, logging_steps=10, report_to="none"),
        train_dataset=dpo,
        processing_class=tokenizer,
    )
    trainer.train()
    trainer.save_model(f"{args.output_dir}/final")
    tokenizer.save_pretrained(f"{args.output_dir}/final")


if __name__ == "__main__":
    main()
